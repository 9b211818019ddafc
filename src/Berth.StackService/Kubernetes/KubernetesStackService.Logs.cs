using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Berth.Stacks;
using k8s;
using k8s.Models;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// <c>stack logs</c> on Kubernetes: every container of every pod of the stack (by the stack label), with
/// timestamps always requested (they order and merge the pods). With follow, the stack's pods are listed again every
/// <see cref="PodPollInterval"/> and new ones are followed too. Kubernetes does not keep stdout and stderr apart:
/// every line's stream is <c>stdout</c>.
/// </summary>
internal sealed partial class KubernetesStackService
{
    internal static readonly TimeSpan PodPollInterval = TimeSpan.FromSeconds(1);

    public async IAsyncEnumerable<StackLogLine> LogsAsync(string stack, StackLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (client, ns, services) = await RunAsync(async cluster =>
        {
            var rows = await Berth.Kubernetes.Observe.StackReader.ListServicesAsync(cluster.Client, cluster.Namespace, stack, cancellationToken).ConfigureAwait(false);
            var names = rows.Select(r => r.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var unknown = options.Services.Where(s => !names.Contains(s)).ToList();
            if (unknown.Count > 0)
            {
                throw new StackInputException($"no service {string.Join(", ", unknown)} in stack {stack} (namespace {cluster.Namespace}){(names.Count == 0 ? string.Empty : $" (services: {string.Join(", ", names)})")}");
            }

            return (cluster.Client, cluster.Namespace, options.Services.IsEmpty ? names : [.. options.Services]);
        }).ConfigureAwait(false);

        var channel = Channel.CreateUnbounded<StackLogLine>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(client, ns, stack, services, options, channel.Writer, stop.Token);
        var lines = new List<StackLogLine>();
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    more = false;
                }
                catch (Exception ex) when (ex is not OperationCanceledException && ex is not StackOrchestratorException && _cluster?.Explain(ex) is { } explained)
                {
                    throw new StackOrchestratorException(explained.Message, explained.Hint, ex);
                }

                if (!more)
                {
                    break;
                }

                while (channel.Reader.TryRead(out var line))
                {
                    if (options.Follow)
                    {
                        yield return line;
                    }
                    else
                    {
                        lines.Add(line);
                    }
                }
            }

            foreach (var line in lines.OrderBy(l => l.Time))
            {
                yield return line;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its failure, if any, already ended the channel and was thrown above.
            }
        }
    }

    private static async Task ProduceAsync(IKubernetes client, string ns, string stack, IReadOnlyList<string> services, StackLogOptions options, ChannelWriter<StackLogLine> output, CancellationToken cancellationToken)
    {
        var started = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{StackLabels.StackNamespace}={stack}", cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var pod in pods.Items)
                {
                    var service = pod.Metadata?.Labels?.TryGetValue(StackLabels.ServiceName, out var s) == true ? s : null;
                    if (service is null || !services.Contains(service) || pod.Status?.Phase == "Pending")
                    {
                        continue;
                    }

                    foreach (var container in pod.Spec?.Containers ?? [])
                    {
                        var key = $"{pod.Metadata!.Uid}/{container.Name}";
                        _ = started.GetOrAdd(key, _ => ReadPodLogAsync(client, ns, pod, container.Name, service, options, output, cancellationToken));
                    }
                }

                if (!options.Follow)
                {
                    break;
                }

                await Task.Delay(PodPollInterval, cancellationToken).ConfigureAwait(false);
            }

            await Task.WhenAll(started.Values).ConfigureAwait(false);
            output.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.TryComplete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
        }
    }

    private static async Task ReadPodLogAsync(IKubernetes client, string ns, V1Pod pod, string container, string service, StackLogOptions options, ChannelWriter<StackLogLine> output, CancellationToken cancellationToken)
    {
        var name = pod.Metadata!.Name;
        var replica = Replica(pod);
        int? sinceSeconds = options.Since is { } since ? Math.Max(1, (int)Math.Ceiling((DateTimeOffset.UtcNow - since).TotalSeconds)) : null;
        using var response = await client.CoreV1.ReadNamespacedPodLogWithHttpMessagesAsync(
            name, ns, container: container, follow: options.Follow, tailLines: options.Tail, sinceSeconds: sinceSeconds, timestamps: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(response.Body);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } raw)
        {
            var space = raw.IndexOf(' ', StringComparison.Ordinal);
            var stamp = space < 0 ? raw : raw[..space];
            if (Swarm.SwarmStackService.TryParseTime(stamp, out var time))
            {
                await output.WriteAsync(new StackLogLine(time, service, replica, "stdout", space < 0 ? string.Empty : raw[(space + 1)..]), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A StatefulSet pod's ordinal (<c>db-0</c> → 0), else the pod name's random suffix (<c>web-7d9f-x2k4q</c> → x2k4q).</summary>
    private static string Replica(V1Pod pod)
    {
        var name = pod.Metadata?.Name ?? string.Empty;
        var dash = name.LastIndexOf('-');
        return dash < 0 ? name : name[(dash + 1)..];
    }
}
