using System.Collections.Immutable;
using Berth.Kubernetes.Observe;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// One kind Berth manages: its API resource (group, version, plural; namespaced or not), its apply and delete ranks,
/// and the typed client calls to list (in a namespace or in all), apply (server-side apply, field manager
/// <c>berth</c>, force), delete and watch it. Built by <see cref="ResourceKinds"/> from one typed row per kind.
/// </summary>
internal sealed record ResourceKind(
    string Kind,
    string Group,
    string Version,
    string Plural,
    bool Namespaced,
    int Rank,
    int DeleteRank,
    bool Prunable,
    Func<IKubernetes, string, string?, CancellationToken, Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>>> List,
    Func<IKubernetes, string?, CancellationToken, Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>>> ListAllNamespaces,
    Func<IKubernetes, V1Patch, string, string, CancellationToken, Task<IKubernetesObject<V1ObjectMeta>>> Apply,
    Func<IKubernetes, string, string, CancellationToken, Task> Delete,
    Func<IKubernetes, string, string, IWatchedCollection> Watch)
{
    public bool IsWorkload => Rank == ResourceKinds.WorkloadRank;

    /// <summary>The resource as RBAC and API errors name it: <c>secrets</c>, <c>deployments.apps</c>.</summary>
    public string Resource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The collection's path below the API root, e.g. <c>apis/apps/v1/namespaces/ns/deployments</c>.</summary>
    public string CollectionPath(string @namespace) => PathOf(Group, Version, Plural, Namespaced ? @namespace : null);

    public static string PathOf(string group, string version, string plural, string? @namespace)
        => (group.Length == 0 ? $"api/{version}/" : $"apis/{group}/{version}/")
           + (@namespace is null ? string.Empty : $"namespaces/{Uri.EscapeDataString(@namespace)}/")
           + plural;
}

/// <summary>
/// The table of kinds: adding a kind is one row. Each row names the typed KubernetesClient calls once; the generic
/// <see cref="Row{TList, T}"/> turns them into the untyped delegates of <see cref="ResourceKind"/> at compile time
/// (no reflection, so Native AOT keeps exactly these calls). The Namespace is handled apart (cluster-scoped, applied
/// only when the plan has one, never listed for prune nor deleted); so are pods, which Berth only watches.
/// </summary>
internal static class ResourceKinds
{
    public const int WorkloadRank = 5;
    private const string Background = "Background";
    private const string Manager = KubernetesDeployer.FieldManager;

    // Rank: apply order (what others use first). DeleteRank: removal order (what uses others first: autoscalers and
    // workloads, then Services, then what pods mount).
    public static readonly ImmutableArray<ResourceKind> All =
    [
        Row<V1SecretList, V1Secret>("Secret", "", "v1", "secrets", rank: 1, deleteRank: 4,
            (c, ns, s, ct) => c.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.CoreV1.ListSecretForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.CoreV1.PatchNamespacedSecretAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedSecretAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1ConfigMapList, V1ConfigMap>("ConfigMap", "", "v1", "configmaps", rank: 2, deleteRank: 4,
            (c, ns, s, ct) => c.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.CoreV1.ListConfigMapForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.CoreV1.PatchNamespacedConfigMapAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1PersistentVolumeClaimList, V1PersistentVolumeClaim>("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", rank: 3, deleteRank: 5,
            (c, ns, s, ct) => c.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1ServiceList, V1Service>("Service", "", "v1", "services", rank: 4, deleteRank: 3,
            (c, ns, s, ct) => c.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.CoreV1.PatchNamespacedServiceAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.CoreV1.DeleteNamespacedServiceAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1DeploymentList, V1Deployment>("Deployment", "apps", "v1", "deployments", WorkloadRank, deleteRank: 1,
            (c, ns, s, ct) => c.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.AppsV1.PatchNamespacedDeploymentAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1StatefulSetList, V1StatefulSet>("StatefulSet", "apps", "v1", "statefulsets", WorkloadRank, deleteRank: 1,
            (c, ns, s, ct) => c.AppsV1.ListNamespacedStatefulSetAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.AppsV1.ListStatefulSetForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.AppsV1.PatchNamespacedStatefulSetAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedStatefulSetAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1DaemonSetList, V1DaemonSet>("DaemonSet", "apps", "v1", "daemonsets", WorkloadRank, deleteRank: 1,
            (c, ns, s, ct) => c.AppsV1.ListNamespacedDaemonSetAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.AppsV1.ListDaemonSetForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.AppsV1.PatchNamespacedDaemonSetAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.AppsV1.DeleteNamespacedDaemonSetAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1JobList, V1Job>("Job", "batch", "v1", "jobs", WorkloadRank, deleteRank: 1,
            (c, ns, s, ct) => c.BatchV1.ListNamespacedJobAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.BatchV1.ListJobForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.BatchV1.PatchNamespacedJobAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1NetworkPolicyList, V1NetworkPolicy>("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", rank: 6, deleteRank: 2,
            (c, ns, s, ct) => c.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.NetworkingV1.ListNetworkPolicyForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.NetworkingV1.PatchNamespacedNetworkPolicyAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V1IngressList, V1Ingress>("Ingress", "networking.k8s.io", "v1", "ingresses", rank: 6, deleteRank: 2,
            (c, ns, s, ct) => c.NetworkingV1.ListNamespacedIngressAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.NetworkingV1.ListIngressForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.NetworkingV1.PatchNamespacedIngressAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
        Row<V2HorizontalPodAutoscalerList, V2HorizontalPodAutoscaler>("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", rank: 6, deleteRank: 0,
            (c, ns, s, ct) => c.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, labelSelector: s, cancellationToken: ct),
            (c, s, ct) => c.AutoscalingV2.ListHorizontalPodAutoscalerForAllNamespacesAsync(labelSelector: s, cancellationToken: ct),
            (c, body, name, ns, ct) => c.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(body, name, ns, fieldManager: Manager, force: true, cancellationToken: ct),
            (c, name, ns, ct) => c.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, ns, propagationPolicy: Background, cancellationToken: ct)),
    ];

    private static readonly ImmutableDictionary<string, ResourceKind> ByKind = All.ToImmutableDictionary(k => k.Kind, StringComparer.Ordinal);

    public static IEnumerable<ResourceKind> Workloads => All.Where(k => k.IsWorkload);

    public static ResourceKind? Find(string kind) => ByKind.GetValueOrDefault(kind);

    /// <summary>Deletion order of a kind (see the table); a kind outside it goes last.</summary>
    public static int DeleteRank(string kind) => Find(kind)?.DeleteRank ?? int.MaxValue;

    public static Task<V1Namespace> ApplyNamespaceAsync(IKubernetes client, V1Patch body, string name, CancellationToken cancellationToken)
        => client.CoreV1.PatchNamespaceAsync(body, name, fieldManager: Manager, force: true, cancellationToken: cancellationToken);

    /// <summary>One namespaced, prunable kind from its typed calls; the list type gives the items and the resourceVersion a watch starts from.</summary>
    private static ResourceKind Row<TList, T>(
        string kind,
        string group,
        string version,
        string plural,
        int rank,
        int deleteRank,
        Func<IKubernetes, string, string?, CancellationToken, Task<TList>> list,
        Func<IKubernetes, string?, CancellationToken, Task<TList>> listAllNamespaces,
        Func<IKubernetes, V1Patch, string, string, CancellationToken, Task<T>> apply,
        Func<IKubernetes, string, string, CancellationToken, Task> delete)
        where TList : IItems<T>, IMetadata<V1ListMeta>
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        return new ResourceKind(
            kind, group, version, plural, Namespaced: true, rank, deleteRank, Prunable: true,
            async (c, ns, selector, ct) => Items((await list(c, ns, selector, ct).ConfigureAwait(false)).Items),
            async (c, selector, ct) => Items((await listAllNamespaces(c, selector, ct).ConfigureAwait(false)).Items),
            async (c, body, name, ns, ct) => await apply(c, body, name, ns, ct).ConfigureAwait(false),
            delete,
            (c, ns, selector) => new WatchedCollection<T>(ResourceKind.PathOf(group, version, plural, ns), async ct =>
            {
                var l = await list(c, ns, selector, ct).ConfigureAwait(false);
                return (l.Items, l.Metadata?.ResourceVersion);
            }));
    }

    private static List<IKubernetesObject<V1ObjectMeta>> Items<T>(IEnumerable<T> items)
        where T : IKubernetesObject<V1ObjectMeta>
        => [.. items.Cast<IKubernetesObject<V1ObjectMeta>>()];
}
