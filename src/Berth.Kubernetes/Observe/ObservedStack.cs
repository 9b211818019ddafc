using Berth.Kubernetes.Apply;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// The live workloads (of the kinds being waited for) and pods of one stack, found by its label, each kind kept
/// current by a watch when possible, else by listing on each poll.
/// </summary>
internal sealed class ObservedStack
{
    private readonly Dictionary<string, IWatchedCollection> _workloads = new(StringComparer.Ordinal);
    private readonly List<IWatchedCollection> _collections = [];
    private readonly string _labelSelector;

    public ObservedStack(IKubernetes client, string @namespace, string labelSelector, IEnumerable<string> kinds)
    {
        ArgumentNullException.ThrowIfNull(client);
        _labelSelector = labelSelector;
        foreach (var kind in kinds.Distinct(StringComparer.Ordinal))
        {
            var row = ResourceKinds.Find(kind) is { IsWorkload: true } workload
                ? workload
                : throw new ArgumentException($"cannot wait for a {kind}: only {string.Join(", ", ResourceKinds.Workloads.Select(k => k.Kind))} roll out", nameof(kinds));
            var collection = row.Watch(client, @namespace, labelSelector);
            _workloads[kind] = collection;
            _collections.Add(collection);
        }

        // Pods are watched, never applied: not a row of the kind table.
        Pods = new WatchedCollection<V1Pod>(ResourceKind.PathOf(string.Empty, "v1", "pods", @namespace), async ct =>
        {
            var l = await client.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: labelSelector, cancellationToken: ct).ConfigureAwait(false);
            return (l.Items, l.Metadata?.ResourceVersion);
        });
        _collections.Add(Pods);
    }

    public WatchedCollection<V1Pod> Pods { get; }

    public bool AllWatching => _collections.All(c => c.Watching);

    public object? Get(WorkloadRef workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        return _workloads.TryGetValue(workload.Kind, out var collection) ? collection.Get(workload.Name) : null;
    }

    public Task ListAllAsync(CancellationToken cancellationToken) => Task.WhenAll(_collections.Select(c => c.ListAsync(cancellationToken)));

    /// <summary>Lists again only what no watch keeps current: one request per such kind.</summary>
    public Task ListUnwatchedAsync(CancellationToken cancellationToken)
        => Task.WhenAll(_collections.Where(c => !c.Watching).Select(c => c.ListAsync(cancellationToken)));

    public IReadOnlyList<Task> StartWatches(k8s.Kubernetes client, Func<int> timeoutSeconds, Action changed, CancellationToken cancellationToken)
        => [.. _collections.Select(c => c.WatchAsync(client, _labelSelector, timeoutSeconds, changed, cancellationToken))];
}
