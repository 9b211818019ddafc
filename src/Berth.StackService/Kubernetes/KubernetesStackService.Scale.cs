using System.Text.Json.Nodes;
using Berth.Kubernetes.Observe;
using Berth.Stacks;
using Berth.Stacks.Events;
using k8s;
using k8s.Models;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// <c>stack scale</c> on Kubernetes: <c>spec.replicas</c> of the stack's Deployments and StatefulSets by server-side
/// apply, then the deploy's rollout wait.
/// </summary>
internal sealed partial class KubernetesStackService
{
    /// <summary>
    /// The field manager of scale applies. Not deploy's <c>berth</c>: an apply of only <c>spec.replicas</c> under that
    /// manager would release (and so remove) every other field the deploy applied. Deploy applies with force, so the
    /// next deploy takes <c>spec.replicas</c> back and sets the Compose file's count.
    /// </summary>
    internal const string ScaleFieldManager = "berth-scale";

    public Task<StackScaleResult> ScaleAsync(string stack, IReadOnlyList<StackScaleTarget> targets, StackScaleOptions options, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        return RunAsync(async cluster =>
        {
            var client = cluster.Client;
            var ns = cluster.Namespace;
            var objects = await StackObjects.ReadAsync(client, ns, $"{StackLabels.StackNamespace}={stack}", cancellationToken).ConfigureAwait(false);
            var byService = objects.Workloads
                .GroupBy(w => w.Metadata.Labels?.TryGetValue(StackLabels.ServiceName, out var s) == true ? s : w.Metadata.Name, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var result = new StackScaleResult(Orchestrator, stack) { Services = [.. byService.Keys.Order(StringComparer.Ordinal)], Namespace = ns, Timeout = options.Timeout };

            // An autoscaler may target the workload without carrying the stack's label: all of the namespace's are read.
            var autoscalers = await client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            var refused = new List<StackScaleRefusal>();
            var plan = new List<(StackScaleTarget Target, IKubernetesObject<V1ObjectMeta> Workload, string Name)>();
            foreach (var target in targets)
            {
                var name = target.Service;
                if (!byService.TryGetValue(name, out var workload))
                {
                    refused.Add(new StackScaleRefusal(name, $"no service {name} in stack {stack} (namespace {ns})"));
                    continue;
                }

                // List items may come without kind/apiVersion (the real API server leaves them out): the type says it.
                var kind = KindOf(workload);
                var hpa = autoscalers.Items.FirstOrDefault(h => h.Spec?.ScaleTargetRef is { } r && r.Kind == kind && r.Name == workload.Metadata.Name);
                var reason = workload switch
                {
                    V1DaemonSet => "a global service (a DaemonSet, one pod per node): it has no replica count",
                    V1Job => "a job: jobs run to completion and are not scaled",
                    V1Deployment or V1StatefulSet when hpa is not null => $"autoscaled by HorizontalPodAutoscaler {hpa.Metadata.Name} (replicas {hpa.Spec.MinReplicas ?? 1}-{hpa.Spec.MaxReplicas}): change the autoscaler instead",
                    V1Deployment or V1StatefulSet => null,
                    _ => "not a replicated service",
                };
                if (reason is not null)
                {
                    refused.Add(new StackScaleRefusal(name, $"{name} is {reason}"));
                }
                else
                {
                    plan.Add((target, workload, name));
                }
            }

            if (refused.Count > 0)
            {
                return result with { Refused = [.. refused] };
            }

            var scaled = new List<StackScaled>();
            var writes = 0;
            foreach (var (target, workload, name) in plan)
            {
                var from = workload switch
                {
                    V1Deployment d => d.Spec?.Replicas ?? 1,
                    V1StatefulSet s => s.Spec?.Replicas ?? 1,
                    _ => 0,
                };
                var kind = KindOf(workload);
                var id = $"{kind}/{workload.Metadata.Name}";
                scaled.Add(new StackScaled(name, id, from, target.Replicas));
                if (from == target.Replicas)
                {
                    continue;
                }

                events.Publish(new ObjectWriting(ObjectStep.Update, kind, workload.Metadata.Name) { Fields = ["spec.replicas"] });
                var body = new V1Patch(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = kind,
                    // Deploy skips objects whose applied-hash annotation matches the file: marking it makes the next deploy
                    // see the drift and apply the file's replicas again (with force, taking both fields back).
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = workload.Metadata.Name,
                        ["annotations"] = new JsonObject { [Berth.Kubernetes.Apply.AppliedObject.HashAnnotation] = "scaled" },
                    },
                    ["spec"] = new JsonObject { ["replicas"] = target.Replicas },
                }.ToJsonString(), V1Patch.PatchType.ApplyPatch);
                writes++;
                _ = workload is V1Deployment
                    ? (object)await client.AppsV1.PatchNamespacedDeploymentAsync(body, workload.Metadata.Name, ns, fieldManager: ScaleFieldManager, force: true, cancellationToken: cancellationToken).ConfigureAwait(false)
                    : await client.AppsV1.PatchNamespacedStatefulSetAsync(body, workload.Metadata.Name, ns, fieldManager: ScaleFieldManager, force: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            result = result with { Scaled = [.. scaled], Writes = writes };
            if (options.Detach)
            {
                return result;
            }

            var defaults = new Berth.Kubernetes.Apply.KubernetesDeployOptions();
            var workloads = plan.Select(p => new WorkloadRef(KindOf(p.Workload), p.Workload.Metadata.Name, p.Name)).ToList();
            var rollout = await new RolloutWaiter(client, ns, events)
                .WaitAsync(stack, workloads, options.Timeout, defaults.FailFastAfter, defaults.PollInterval, cancellationToken).ConfigureAwait(false);
            return result with { Converged = rollout.Converged, Failures = rollout.Failures };
        });
    }

    private static string KindOf(IKubernetesObject<V1ObjectMeta> workload) => workload switch
    {
        V1Deployment => "Deployment",
        V1StatefulSet => "StatefulSet",
        V1DaemonSet => "DaemonSet",
        V1Job => "Job",
        _ => workload.Kind ?? "workload",
    };
}
