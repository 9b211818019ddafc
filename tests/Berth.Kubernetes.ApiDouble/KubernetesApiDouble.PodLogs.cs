using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Log lines a test appends to a simulated pod's container, served by <c>GET pods/{name}/log</c>.</summary>
public sealed partial class KubernetesApiDouble
{
    private readonly ConcurrentDictionary<string, List<(DateTime Time, string Line)>> _podLogs = new(StringComparer.Ordinal);

    /// <summary>
    /// Appends a line to a container's log (the container name, or empty for the pod's only container). Served after
    /// the simulated lines, with <c>timestamps=true</c> as <c>RFC3339Nano line</c>, limited by <c>tailLines</c> and
    /// <c>sinceSeconds</c>; a <c>follow=true</c> request stays open and receives later lines until the pod is deleted,
    /// the client disconnects or the double is disposed.
    /// </summary>
    public void AppendPodLog(string @namespace, string pod, string container, string line)
    {
        var lines = _podLogs.GetOrAdd($"{@namespace}/{pod}/{container}", _ => []);
        lock (lines)
        {
            lines.Add((DateTime.UtcNow, line));
        }
    }

    /// <summary>
    /// Answers a log GET: the simulated lines, then the appended ones. <paramref name="record"/> runs once the lines
    /// already there are taken, so a line appended after the request shows in <see cref="Requests"/> is one a follow
    /// sends (not one counted as before it and dropped by <c>tailLines=0</c>).
    /// </summary>
    internal async Task WriteLogAsync(HttpResponse response, string simulated, string @namespace, string pod, string container, IQueryCollection query, Action record, Func<bool> podExists, CancellationToken cancellationToken)
    {
        var key = $"{@namespace}/{pod}/{container}";
        var timestamps = query["timestamps"] == "true";
        var follow = query["follow"] == "true";
        var tail = int.TryParse(query["tailLines"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : (int?)null;
        var since = int.TryParse(query["sinceSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? DateTime.UtcNow.AddSeconds(-s) : DateTime.MinValue;
        List<(DateTime Time, string Line)> Snapshot()
        {
            var lines = _podLogs.GetOrAdd(key, _ => []);
            lock (lines)
            {
                return [.. lines];
            }
        }

        var taken = Snapshot();
        var first = taken.Where(l => l.Time >= since).ToList();
        var sent = taken.Count;
        record();
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        await response.WriteAsync(simulated, cancellationToken).ConfigureAwait(false);
        foreach (var (time, line) in tail is { } n ? first.Skip(Math.Max(0, first.Count - n)) : first)
        {
            await response.WriteAsync(Format(time, line, timestamps), cancellationToken).ConfigureAwait(false);
        }

        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (follow && podExists())
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                var now = Snapshot();
                foreach (var (time, line) in now.Skip(sent))
                {
                    await response.WriteAsync(Format(time, line, timestamps), cancellationToken).ConfigureAwait(false);
                }

                sent = now.Count;
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away or the double is shutting down: the stream just ends.
        }
    }

    private static string Format(DateTime time, string line, bool timestamps)
        => (timestamps ? time.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture) + " " : string.Empty) + line + "\n";
}
