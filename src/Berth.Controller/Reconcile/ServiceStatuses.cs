using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Observe;
using Berth.Stacks;
using k8s;
using k8s.Models;

namespace Berth.Controller.Reconcile;

/// <summary>
/// One service of a stack as its status reports it: the workload's kind and replica counts, how its rollout stands
/// (the rules of <c>kubectl rollout status</c>, <see cref="RolloutEvaluator"/>) and its pods' problems
/// (<see cref="PodProblemClassifier"/>, the classifier <c>berth stack ps</c> and the deploy wait use).
/// </summary>
internal sealed record ServiceStatus(string Name, string Kind, int Desired, int Updated, int Ready, int Available, RolloutState Rollout, ImmutableArray<PodProblem> Problems)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["kind"] = Kind,
            ["desired"] = Desired,
            ["updated"] = Updated,
            ["ready"] = Ready,
            ["available"] = Available,
        };
        if (!Problems.IsEmpty)
        {
            // As berth-apiserver stores it: an empty message is omitted.
            json["problems"] = new JsonArray([.. Problems.Select(p => p.Message.Length == 0
                ? new JsonObject { ["pod"] = p.Pod, ["reason"] = p.Reason }
                : new JsonObject { ["pod"] = p.Pod, ["reason"] = p.Reason, ["message"] = ProblemText.OneLine(p.Message) })]);
        }

        return json;
    }
}

/// <summary>
/// Reads a stack's services for its status, with as few requests as the answer allows: one LIST per workload kind
/// (4); the pods (1 LIST by the stack's label) only when a workload is not done, since a done rollout has every
/// replica updated and available and so no failing pod; the namespace's events (1) only when a pod runs unready,
/// the one problem (a failing probe) only events tell.
/// </summary>
internal static class ServiceStatuses
{
    public static async Task<ImmutableArray<ServiceStatus>> ReadAsync(IKubernetes client, string @namespace, string stack, CancellationToken cancellationToken)
    {
        var selector = $"{StackLabels.StackNamespace}={stack}";
        var lists = await Task.WhenAll(ResourceKinds.Workloads.Select(kind => kind.List(client, @namespace, selector, cancellationToken))).ConfigureAwait(false);
        var workloads = lists.SelectMany(l => l).Where(w => w.Metadata?.Name is not null).ToList();
        var rollouts = workloads.Select(w => (Workload: w, Rollout: RolloutEvaluator.Evaluate(w))).ToList();

        var problems = ImmutableArray<PodProblem>.Empty;
        if (rollouts.Any(r => !r.Rollout.Done))
        {
            var pods = (await client.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false)).Items;
            IReadOnlyList<Corev1Event> events = pods.Any(PodProblemClassifier.NeedsEvents)
                ? (await client.CoreV1.ListNamespacedEventAsync(@namespace, fieldSelector: "involvedObject.kind=Pod", cancellationToken: cancellationToken).ConfigureAwait(false)).Items.ToList()
                : [];
            problems = PodProblemClassifier.Classify(pods, events, DateTime.UtcNow);
        }

        return
        [
            .. rollouts
                .Select(r => Of(r.Workload, r.Rollout, problems))
                .OrderBy(s => s.Name, StringComparer.Ordinal),
        ];
    }

    /// <summary>A pod worth a reconcile when it changes: one with a problem, or one running unready (a probe may be failing).</summary>
    public static bool MayHaveProblem(JsonObject pod)
    {
        var typed = KubernetesJson.Deserialize<V1Pod>(pod.ToJsonString());
        return PodProblemClassifier.NeedsEvents(typed) || PodProblemClassifier.ProblemOf(typed, [], DateTime.UtcNow) is not null;
    }

    private static ServiceStatus Of(IKubernetesObject<V1ObjectMeta> workload, RolloutState rollout, ImmutableArray<PodProblem> problems)
    {
        var name = workload.Metadata.Labels?.TryGetValue(StackLabels.ServiceName, out var service) == true ? service : workload.Metadata.Name;
        var mine = problems.Where(p => p.Service == name).ToImmutableArray();
        return workload switch
        {
            V1Deployment d => new(name, "Deployment", d.Spec?.Replicas ?? 1, d.Status?.UpdatedReplicas ?? 0, d.Status?.ReadyReplicas ?? 0, d.Status?.AvailableReplicas ?? 0, rollout, mine),
            V1StatefulSet s => new(name, "StatefulSet", s.Spec?.Replicas ?? 1, s.Status?.UpdatedReplicas ?? 0, s.Status?.ReadyReplicas ?? 0, s.Status?.AvailableReplicas ?? 0, rollout, mine),
            V1DaemonSet d => new(name, "DaemonSet", d.Status?.DesiredNumberScheduled ?? 0, d.Status?.UpdatedNumberScheduled ?? 0, d.Status?.NumberReady ?? 0, d.Status?.NumberAvailable ?? 0, rollout, mine),
            V1Job j => new(name, "Job", j.Spec?.Completions ?? 1, j.Status?.Succeeded ?? 0, j.Status?.Succeeded ?? 0, j.Status?.Succeeded ?? 0, rollout, mine),
            _ => new(name, workload.Kind ?? string.Empty, 0, 0, 0, 0, rollout, mine),
        };
    }

    /// <summary>
    /// The stack's phase from its services: Failure when a pod has a problem that does not resolve itself (its
    /// reason, e.g. CrashLoopBackOff) or a rollout failed; Progressing while a service (Jobs aside: they run to an
    /// end) is not rolled out; Available when all are.
    /// </summary>
    public static StackStatus Summarize(ImmutableArray<ServiceStatus> services, long generation)
    {
        var failing = services.SelectMany(s => s.Problems.Where(p => p.FailsFast)).ToList();
        if (failing.Count > 0)
        {
            var message = string.Join("; ", failing.GroupBy(p => p.Service).Select(g => $"{g.Key}: pod {g.First().Pod}: {g.First().Text}"));
            return StackStatus.Failure(failing[0].Reason, message, generation) with { Services = services };
        }

        if (services.Where(s => s.Rollout.Failed).ToList() is { Count: > 0 } failed)
        {
            return StackStatus.Failure("RolloutFailed", string.Join("; ", failed.Select(s => $"{s.Name}: {s.Rollout.State}")), generation) with { Services = services };
        }

        var waiting = services.Where(s => !s.Rollout.Done && s.Kind != "Job").ToList();
        return waiting.Count == 0
            ? new StackStatus(StackPhase.Available, "Available", string.Create(CultureInfo.InvariantCulture, $"{services.Length} service(s) ready"), generation) { Services = services }
            : new StackStatus(StackPhase.Progressing, "Progressing", string.Join(", ", waiting.Select(Waiting)), generation) { Services = services };
    }

    private static string Waiting(ServiceStatus service)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{service.Name}: {service.Ready}/{service.Desired} ready");
        return service.Problems.IsEmpty ? text : $"{text} ({service.Problems[0].Text})";
    }
}
