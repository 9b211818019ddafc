using Berth.Compose;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert;

/// <summary>
/// The one order objects are emitted and applied in: what others depend on first (Namespace, Secrets,
/// ConfigMaps, PVCs, Services), then workloads, then the rest; within a group by kind, then name.
/// </summary>
internal static class ObjectOrder
{
    /// <remarks>A stable sort without LINQ's ThenBy, a generic virtual call that Native AOT resolves at run time (see <see cref="Ordering"/>).</remarks>
    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Sort(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
        => Ordering.Stable(objects, static (a, b) =>
            Rank(a.Kind).CompareTo(Rank(b.Kind)) is var rank && rank != 0 ? rank
            : string.CompareOrdinal(a.Kind, b.Kind) is var kind && kind != 0 ? kind
            : string.CompareOrdinal(a.Metadata?.Name, b.Metadata?.Name));

    private static int Rank(string kind) => kind switch
    {
        "Namespace" => 0,
        "Secret" => 1,
        "ConfigMap" => 2,
        "PersistentVolumeClaim" => 3,
        "Service" => 4,
        "Deployment" or "StatefulSet" or "DaemonSet" or "Job" => 5,
        _ => 6,
    };
}
