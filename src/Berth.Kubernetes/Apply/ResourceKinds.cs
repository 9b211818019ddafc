using System.Collections.Immutable;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// One kind Berth manages: its API resource (as RBAC and errors name it), its dependency rank and the typed client
/// calls to list, apply (server-side apply, field manager <c>berth</c>, force) and delete it in a namespace.
/// </summary>
internal sealed record ResourceKind(
    string Kind,
    string Resource,
    int Rank,
    bool Prunable,
    Func<IKubernetes, string, string?, CancellationToken, Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>>> List,
    Func<IKubernetes, V1Patch, string, string, CancellationToken, Task<IKubernetesObject<V1ObjectMeta>>> Apply,
    Func<IKubernetes, string, string, CancellationToken, Task> Delete)
{
    public bool IsWorkload => Rank == ResourceKinds.WorkloadRank;
}

/// <summary>The dispatch table: kind → typed client calls. Namespaces are handled apart (cluster-scoped, never deleted).</summary>
internal static class ResourceKinds
{
    public const int WorkloadRank = 5;
    private const string Background = "Background";
    private const string Manager = KubernetesDeployer.FieldManager;

    public static readonly ImmutableArray<ResourceKind> All =
    [
        new("Secret", "secrets", 1, true,
            async (c, ns, selector, ct) => Items((await c.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.CoreV1.PatchNamespacedSecretAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedSecretAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("ConfigMap", "configmaps", 2, true,
            async (c, ns, selector, ct) => Items((await c.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.CoreV1.PatchNamespacedConfigMapAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("PersistentVolumeClaim", "persistentvolumeclaims", 3, true,
            async (c, ns, selector, ct) => Items((await c.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("Service", "services", 4, true,
            async (c, ns, selector, ct) => Items((await c.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.CoreV1.PatchNamespacedServiceAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedServiceAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("Deployment", "deployments.apps", WorkloadRank, true,
            async (c, ns, selector, ct) => Items((await c.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.AppsV1.PatchNamespacedDeploymentAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("StatefulSet", "statefulsets.apps", WorkloadRank, true,
            async (c, ns, selector, ct) => Items((await c.AppsV1.ListNamespacedStatefulSetAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.AppsV1.PatchNamespacedStatefulSetAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedStatefulSetAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("DaemonSet", "daemonsets.apps", WorkloadRank, true,
            async (c, ns, selector, ct) => Items((await c.AppsV1.ListNamespacedDaemonSetAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.AppsV1.PatchNamespacedDaemonSetAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedDaemonSetAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("Job", "jobs.batch", WorkloadRank, true,
            async (c, ns, selector, ct) => Items((await c.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.BatchV1.PatchNamespacedJobAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("NetworkPolicy", "networkpolicies.networking.k8s.io", 6, true,
            async (c, ns, selector, ct) => Items((await c.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.NetworkingV1.PatchNamespacedNetworkPolicyAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("Ingress", "ingresses.networking.k8s.io", 6, true,
            async (c, ns, selector, ct) => Items((await c.NetworkingV1.ListNamespacedIngressAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.NetworkingV1.PatchNamespacedIngressAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        new("HorizontalPodAutoscaler", "horizontalpodautoscalers.autoscaling", 6, true,
            async (c, ns, selector, ct) => Items((await c.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, labelSelector: selector, cancellationToken: ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await c.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct).ConfigureAwait(false),
            (c, name, ns, ct) => c.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
    ];

    private static readonly ImmutableDictionary<string, ResourceKind> ByKind = All.ToImmutableDictionary(k => k.Kind, StringComparer.Ordinal);

    public static ResourceKind? Find(string kind) => ByKind.GetValueOrDefault(kind);

    /// <summary>Deletion order: what uses others goes first (autoscalers and workloads, then Services, then what pods mount).</summary>
    public static int DeleteRank(string kind) => kind switch
    {
        "HorizontalPodAutoscaler" => 0,
        "Deployment" or "StatefulSet" or "DaemonSet" or "Job" => 1,
        "Ingress" or "NetworkPolicy" => 2,
        "Service" => 3,
        "ConfigMap" or "Secret" => 4,
        _ => 5,
    };

    public static Task<V1Namespace> ApplyNamespaceAsync(IKubernetes client, V1Patch body, string name, CancellationToken cancellationToken)
        => client.CoreV1.PatchNamespaceAsync(body, name, fieldManager: Manager, force: true, cancellationToken: cancellationToken);

    private static List<IKubernetesObject<V1ObjectMeta>> Items<T>(IEnumerable<T> items)
        where T : IKubernetesObject<V1ObjectMeta>
        => [.. items.Cast<IKubernetesObject<V1ObjectMeta>>()];
}
