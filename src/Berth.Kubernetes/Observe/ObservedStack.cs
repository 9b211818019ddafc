using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// The live workloads (of the kinds being waited for) and pods of one stack, found by its label, each kind kept
/// current by a watch when possible, else by listing on each poll.
/// </summary>
internal sealed class ObservedStack
{
    private readonly Dictionary<string, Func<string, object?>> _getters = new(StringComparer.Ordinal);
    private readonly List<(Func<CancellationToken, Task> List, Func<k8s.Kubernetes, Func<int>, Action, CancellationToken, Task> Watch, Func<bool> Watching)> _collections = [];

    public ObservedStack(IKubernetes client, string @namespace, string labelSelector, IEnumerable<string> kinds)
    {
        ArgumentNullException.ThrowIfNull(client);
        var ns = Uri.EscapeDataString(@namespace);
        foreach (var kind in kinds.Distinct(StringComparer.Ordinal))
        {
            switch (kind)
            {
                case "Deployment":
                    Add(kind, new WatchedCollection<V1Deployment>($"apis/apps/v1/namespaces/{ns}/deployments", async ct =>
                    {
                        var l = await client.AppsV1.ListNamespacedDeploymentAsync(@namespace, labelSelector: labelSelector, cancellationToken: ct).ConfigureAwait(false);
                        return (l.Items, l.Metadata?.ResourceVersion);
                    }), labelSelector);
                    break;
                case "StatefulSet":
                    Add(kind, new WatchedCollection<V1StatefulSet>($"apis/apps/v1/namespaces/{ns}/statefulsets", async ct =>
                    {
                        var l = await client.AppsV1.ListNamespacedStatefulSetAsync(@namespace, labelSelector: labelSelector, cancellationToken: ct).ConfigureAwait(false);
                        return (l.Items, l.Metadata?.ResourceVersion);
                    }), labelSelector);
                    break;
                case "DaemonSet":
                    Add(kind, new WatchedCollection<V1DaemonSet>($"apis/apps/v1/namespaces/{ns}/daemonsets", async ct =>
                    {
                        var l = await client.AppsV1.ListNamespacedDaemonSetAsync(@namespace, labelSelector: labelSelector, cancellationToken: ct).ConfigureAwait(false);
                        return (l.Items, l.Metadata?.ResourceVersion);
                    }), labelSelector);
                    break;
                case "Job":
                    Add(kind, new WatchedCollection<V1Job>($"apis/batch/v1/namespaces/{ns}/jobs", async ct =>
                    {
                        var l = await client.BatchV1.ListNamespacedJobAsync(@namespace, labelSelector: labelSelector, cancellationToken: ct).ConfigureAwait(false);
                        return (l.Items, l.Metadata?.ResourceVersion);
                    }), labelSelector);
                    break;
                default:
                    throw new ArgumentException($"cannot wait for a {kind}: only Deployment, StatefulSet, DaemonSet and Job roll out", nameof(kinds));
            }
        }

        Pods = new WatchedCollection<V1Pod>($"api/v1/namespaces/{ns}/pods", async ct =>
        {
            var l = await client.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: labelSelector, cancellationToken: ct).ConfigureAwait(false);
            return (l.Items, l.Metadata?.ResourceVersion);
        });
        Add(null, Pods, labelSelector);
    }

    public WatchedCollection<V1Pod> Pods { get; }

    public bool AllWatching => _collections.All(c => c.Watching());

    public object? Get(WorkloadRef workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return _getters.TryGetValue(workload.Kind, out var get) ? get(workload.Name) : null;
    }

    public Task ListAllAsync(CancellationToken cancellationToken) => Task.WhenAll(_collections.Select(c => c.List(cancellationToken)));

    /// <summary>Lists again only what no watch keeps current: one request per such kind.</summary>
    public Task ListUnwatchedAsync(CancellationToken cancellationToken)
        => Task.WhenAll(_collections.Where(c => !c.Watching()).Select(c => c.List(cancellationToken)));

    public IReadOnlyList<Task> StartWatches(k8s.Kubernetes client, Func<int> timeoutSeconds, Action changed, CancellationToken cancellationToken)
        => [.. _collections.Select(c => c.Watch(client, timeoutSeconds, changed, cancellationToken))];

    private void Add<T>(string? kind, WatchedCollection<T> collection, string labelSelector)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        if (kind is not null)
        {
            _getters[kind] = collection.Get;
        }

        _collections.Add((collection.ListAsync, (k, t, changed, ct) => collection.WatchAsync(k, labelSelector, t, changed, ct), () => collection.Watching));
    }
}
