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
        var deployments = @namespace is null
            ? client.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellationToken)
            : client.AppsV1.ListNamespacedDeploymentAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken);
        var statefulSets = @namespace is null
            ? client.AppsV1.ListStatefulSetForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellationToken)
            : client.AppsV1.ListNamespacedStatefulSetAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken);
        var daemonSets = @namespace is null
            ? client.AppsV1.ListDaemonSetForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellationToken)
            : client.AppsV1.ListNamespacedDaemonSetAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken);
        var jobs = @namespace is null
            ? client.BatchV1.ListJobForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellationToken)
            : client.BatchV1.ListNamespacedJobAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken);
        var services = @namespace is null
            ? client.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: labelSelector, cancellationToken: cancellationToken)
            : client.CoreV1.ListNamespacedServiceAsync(@namespace, labelSelector: labelSelector, cancellationToken: cancellationToken);
        await Task.WhenAll(deployments, statefulSets, daemonSets, jobs, services).ConfigureAwait(false);
        IEnumerable<IKubernetesObject<V1ObjectMeta>> workloads =
        [
            .. (await deployments.ConfigureAwait(false)).Items,
            .. (await statefulSets.ConfigureAwait(false)).Items,
            .. (await daemonSets.ConfigureAwait(false)).Items,
            .. (await jobs.ConfigureAwait(false)).Items,
        ];
        return new StackObjects([.. workloads.Where(w => w.Metadata?.Name is not null)], [.. (await services.ConfigureAwait(false)).Items.Where(s => s.Metadata?.Name is not null)]);
    }
}
