using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert;

/// <summary>
/// The one order objects are emitted and applied in: what others depend on first (Namespace, Secrets,
/// ConfigMaps, PVCs, Services), then workloads, then the rest; within a group by kind, then name.
/// </summary>
internal static class ObjectOrder
{
    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> Sort(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects)
        => objects
            .OrderBy(o => Rank(o.Kind))
            .ThenBy(o => o.Kind, StringComparer.Ordinal)
            .ThenBy(o => o.Metadata?.Name, StringComparer.Ordinal);

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
