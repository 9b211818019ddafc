using Berth.Kubernetes.Convert;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>Stamps one controlling ownerReference on the plan's objects before they are planned and applied.</summary>
internal static class OwnerReferences
{
    /// <summary>
    /// <paramref name="owner"/> on every namespaced object of <paramref name="plan"/> (a cluster-scoped Namespace cannot
    /// name a namespaced owner: the garbage collector treats that as an unresolvable reference,
    /// pkg/controller/garbagecollector/graph_builder.go). It is part of the applied body, so of the applied-hash:
    /// an unchanged stack stays unchanged.
    /// </summary>
    public static KubernetesPlan Stamp(KubernetesPlan plan, V1OwnerReference owner)
    {
        foreach (var item in plan.Objects.Where(o => o.Kind != "Namespace"))
        {
            item.Metadata.OwnerReferences = [owner];
        }

        return plan;
    }
}
