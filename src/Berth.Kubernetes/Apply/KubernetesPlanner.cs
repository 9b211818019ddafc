using Berth.Kubernetes.Convert;
using k8s;

namespace Berth.Kubernetes.Apply;

/// <summary>Compares a plan with what the namespace holds: creates, updates (changed field paths), removals (prune) and collisions. Reads only.</summary>
public static class KubernetesPlanner
{
    public static Task<KubernetesChangeSet> PlanAsync(IKubernetes client, string @namespace, string stack, KubernetesPlan plan, bool pruneVolumes, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
