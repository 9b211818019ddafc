using System.Collections.Immutable;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Swarm.Apply;
using k8s;
using k8s.Models;

namespace Berth.StackService.Kubernetes;

/// <summary>Plan and deploy: <c>--resolve-image</c> on the converted plan (<see cref="KubernetesImagePins"/>), before the planner reads or the deployer writes.</summary>
internal sealed partial class KubernetesStackService
{
    /// <summary>
    /// Pins the plan's images as the request says (Kubernetes' default: never). The live workloads are read when
    /// <c>changed</c> needs them, or for a plan that resolves (it shows the images' values, so a moved digest); returned,
    /// else empty: with <c>never</c> a plan and a deploy make exactly the requests they made before.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, IKubernetesObject<V1ObjectMeta>>> PinImagesAsync(KubernetesCluster cluster, StackDeployRequest request, KubernetesPlan plan, bool forPlan, CancellationToken cancellationToken)
    {
        var mode = request.ResolveImage ?? KubernetesImagePins.Default;
        var live = (forPlan && mode != ImageResolution.Never) || mode == ImageResolution.Changed
            ? await KubernetesImagePins.ReadLiveAsync(cluster.Client, cluster.Namespace, request.Stack, plan, cancellationToken).ConfigureAwait(false)
            : ImmutableDictionary<string, IKubernetesObject<V1ObjectMeta>>.Empty;
        await KubernetesImagePins.PinAsync(plan, mode, live, environment, cancellationToken).ConfigureAwait(false);
        return live;
    }

    /// <summary>A planned change as the stack service reports it; a workload update carries its image changes with their values.</summary>
    private static StackChange Change(ObjectChange change, KubernetesPlan plan, IReadOnlyDictionary<string, IKubernetesObject<V1ObjectMeta>> live)
    {
        var row = new StackChange(change.Action.ToString().ToLowerInvariant(), change.Kind, change.Name, change.Fields, change.Reason) { Refused = Refusal(change) };
        if (change.Action != ObjectAction.Update)
        {
            return row;
        }

        var desired = plan.Objects.FirstOrDefault(o => o.Kind == change.Kind && o.Metadata.Name == change.Name);
        return row with { Values = KubernetesImagePins.ImageChanges(desired, live.GetValueOrDefault(change.Id)) };
    }
}
