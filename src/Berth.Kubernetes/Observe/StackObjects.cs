using Berth.Kubernetes.Apply;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>The workloads (Deployments, StatefulSets, DaemonSets, Jobs) and Services matching a label selector, read concurrently.</summary>
internal sealed record StackObjects(IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Workloads, IReadOnlyList<V1Service> Services)
{
    /// <param name="client">The client.</param>
    /// <param name="namespace">The namespace, or null for every namespace (cluster-wide LISTs).</param>
    /// <param name="labelSelector">Label selector, e.g. <c>com.docker.stack.namespace=web</c> or just the key.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<StackObjects> ReadAsync(IKubernetes client, string? @namespace, string labelSelector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var services = ResourceKinds.Find("Service")!;
        var reads = ResourceKinds.Workloads.Append(services)
            .Select(kind => @namespace is null
                ? kind.ListAllNamespaces(client, labelSelector, cancellationToken)
                : kind.List(client, @namespace, labelSelector, cancellationToken))
            .ToList();
        var lists = await Task.WhenAll(reads).ConfigureAwait(false);
        IEnumerable<IKubernetesObject<V1ObjectMeta>> workloads = lists[..^1].SelectMany(l => l);
        return new StackObjects([.. workloads.Where(w => w.Metadata?.Name is not null)], [.. lists[^1].OfType<V1Service>().Where(s => s.Metadata?.Name is not null)]);
    }
}
