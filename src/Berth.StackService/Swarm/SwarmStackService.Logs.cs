using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.StackService.Swarm;

/// <summary>
/// <c>stack logs</c> on Swarm: the engine's service logs (<c>GET /services/{id}/logs</c>, multiplexed) of each of
/// the stack's services, read concurrently, with timestamps and details always requested: the timestamp orders and
/// merges the services, the details name the task (its slot is the replica).
/// </summary>
internal sealed partial class SwarmStackService
{
    public async IAsyncEnumerable<StackLogLine> LogsAsync(string stack, StackLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var services = await RunAsync(async client =>
        {
            var live = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = StackOwnership.StackFilter(stack) }, cancellationToken)).ConfigureAwait(false);
            var owned = live.Where(s => StackOwnership.Owned(s.Spec?.Labels, stack) && s.Spec?.Name is not null)
                .ToDictionary(s => ComposeName(stack, s.Spec!.Name!), StringComparer.Ordinal);
            var unknown = options.Services.Select(s => ComposeName(stack, s)).Where(s => !owned.ContainsKey(s)).ToList();
            if (unknown.Count > 0)
            {
                throw new StackInputException($"no service {string.Join(", ", unknown)} in stack {stack}{(owned.Count == 0 ? string.Empty : $" (services: {string.Join(", ", owned.Keys.Order(StringComparer.Ordinal))})")}");
            }

            return owned.Where(p => options.Services.IsEmpty || options.Services.Select(s => ComposeName(stack, s)).Contains(p.Key))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (Name: p.Key, p.Value.ID))
                .ToList();
        }, cancellationToken).ConfigureAwait(false);

        var client = _client!;
        var replicas = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var channel = Channel.CreateUnbounded<StackLogLine>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = services.Select(s => ReadServiceLogsAsync(client, s.Name, s.ID, options, replicas, channel.Writer, stop.Token)).ToList();
        var all = Task.WhenAll(readers).ContinueWith(t => channel.Writer.TryComplete(t.IsFaulted ? t.Exception!.InnerException : null), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        try
        {
            if (!options.Follow)
            {
                // Every stream ends on its own: all lines, then one stable sort by time (each service's own order kept for equal times).
                var lines = new List<StackLogLine>();
                await foreach (var line in ReadAllAsync(channel.Reader, cancellationToken).ConfigureAwait(false))
                {
                    lines.Add(line);
                }

                foreach (var line in lines.OrderBy(l => l.Time))
                {
                    yield return line;
                }

                yield break;
            }

            await foreach (var line in ReadAllAsync(channel.Reader, cancellationToken).ConfigureAwait(false))
            {
                yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    /// <summary>The channel's lines until it completes; cancellation ends the enumeration (Ctrl-C during --follow is a normal end).</summary>
    private static async IAsyncEnumerable<StackLogLine> ReadAllAsync(ChannelReader<StackLogLine> reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                more = false;
            }
            catch (Exception ex) when (ex is DockerApiException or SwarmEngineException or HttpRequestException or IOException)
            {
                throw Explain(ex);
            }

            if (!more)
            {
                yield break;
            }

            while (reader.TryRead(out var line))
            {
                yield return line;
            }
        }
    }

    private static StackOrchestratorException Explain(Exception ex) => ex switch
    {
        SwarmEngineException e => new StackOrchestratorException(e.Message, e.Hint, e),
        DockerApiException e => new StackOrchestratorException($"the engine refused: {FirstMessage(e.ResponseBody)}", null, e),
        _ => new StackOrchestratorException($"reading the logs failed: {ex.Message}", null, ex),
    };

    private static async Task ReadServiceLogsAsync(EngineClient client, string service, string id, StackLogOptions options, ConcurrentDictionary<string, string> replicas, ChannelWriter<StackLogLine> output, CancellationToken cancellationToken)
    {
        var parameters = new ServiceLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Details = true,
            Follow = options.Follow,
            Tail = options.Tail?.ToString(CultureInfo.InvariantCulture) ?? "all",
            Since = options.Since?.ToUnixTimeMilliseconds() is { } ms ? (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture) : null,
        };
        try
        {
            using var stream = await SwarmEngine.CallAsync(client, c => c.Swarm.GetServiceLogsAsync(id, false, parameters, cancellationToken)).ConfigureAwait(false);
            var buffer = new byte[16 * 1024];
            var pending = new Dictionary<MultiplexedStream.TargetStream, StringBuilder>();
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF)
                {
                    break;
                }

                var text = pending.TryGetValue(read.Target, out var held) ? held : pending[read.Target] = new StringBuilder();
                text.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                var all = text.ToString();
                var end = all.LastIndexOf('\n');
                if (end < 0)
                {
                    continue;
                }

                text.Clear().Append(all, end + 1, all.Length - end - 1);
                foreach (var raw in all[..end].Split('\n'))
                {
                    if (Parse(raw, out var time, out var task, out var message))
                    {
                        var replica = await ReplicaAsync(client, task, replicas, cancellationToken).ConfigureAwait(false);
                        await output.WriteAsync(new StackLogLine(time, service, replica, read.Target == MultiplexedStream.TargetStream.StandardError ? "stderr" : "stdout", message), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped by the reader (Ctrl-C during --follow, or the enumeration ended).
        }
    }

    /// <summary><c>&lt;RFC3339Nano&gt; &lt;details k=v,…&gt; &lt;message&gt;</c>; the task id is one of the details.</summary>
    internal static bool Parse(string raw, out DateTimeOffset time, out string task, out string message)
    {
        raw = raw.TrimEnd('\r');
        time = default;
        task = string.Empty;
        message = string.Empty;
        var first = raw.IndexOf(' ', StringComparison.Ordinal);
        var stamp = first < 0 ? raw : raw[..first];
        if (!TryParseTime(stamp, out time))
        {
            return false;
        }

        var rest = first < 0 ? string.Empty : raw[(first + 1)..];
        var second = rest.IndexOf(' ', StringComparison.Ordinal);
        var details = second < 0 ? rest : rest[..second];
        if (details.Contains('=', StringComparison.Ordinal))
        {
            message = second < 0 ? string.Empty : rest[(second + 1)..];
            foreach (var pair in details.Split(','))
            {
                if (pair.StartsWith("com.docker.swarm.task.id=", StringComparison.Ordinal))
                {
                    task = pair["com.docker.swarm.task.id=".Length..];
                }
            }
        }
        else
        {
            message = rest;
        }

        return true;
    }

    /// <summary>RFC3339 with up to nanoseconds (.NET parses at most 7 fraction digits).</summary>
    internal static bool TryParseTime(string stamp, out DateTimeOffset time)
    {
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        var zone = stamp.IndexOfAny(['Z', '+'], Math.Max(dot, 0));
        if (dot > 0 && zone > dot + 8)
        {
            stamp = stamp[..(dot + 8)] + stamp[zone..];
        }

        return DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    /// <summary>The task's slot (replicated) or node (global); read once per task.</summary>
    private static async Task<string> ReplicaAsync(EngineClient client, string task, ConcurrentDictionary<string, string> replicas, CancellationToken cancellationToken)
    {
        if (task.Length == 0)
        {
            return "?";
        }

        if (replicas.TryGetValue(task, out var known))
        {
            return known;
        }

        var inspected = await SwarmEngine.CallAsync(client, c => c.Tasks.InspectAsync(task, cancellationToken)).ConfigureAwait(false);
        var replica = inspected.Slot is > 0 ? inspected.Slot.Value.ToString(CultureInfo.InvariantCulture) : (inspected.NodeID ?? task)[..Math.Min(12, (inspected.NodeID ?? task).Length)];
        return replicas[task] = replica;
    }
}
