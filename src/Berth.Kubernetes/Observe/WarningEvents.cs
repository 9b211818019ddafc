using System.Collections.Immutable;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// Picks the recent Warning events about one Compose service: events on its pods, its workload, or the ReplicaSets
/// and pods its workload made (named <c>&lt;workload&gt;-…</c>), newest first, as <c>reason: message</c>.
/// </summary>
internal static class WarningEvents
{
    public const int PerService = 3;

    private static readonly ImmutableHashSet<string> WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"];

    /// <param name="events">Events of the namespace.</param>
    /// <param name="podServices">Live pod name → Compose service (from the pod's label).</param>
    /// <param name="workloads">Workload name → Compose service, for every workload being waited for.</param>
    /// <param name="service">The service whose events to pick.</param>
    public static ImmutableArray<string> For(IEnumerable<Corev1Event> events, IReadOnlyDictionary<string, string> podServices, IReadOnlyDictionary<string, string> workloads, string service)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(podServices);
        ArgumentNullException.ThrowIfNull(workloads);
        return
        [
            .. events
                .Where(e => e.Type == "Warning" && ServiceOf(e.InvolvedObject, podServices, workloads) == service)
                .OrderByDescending(e => PodProblemClassifier.Timestamp(e) ?? DateTime.MinValue)
                .Select(e => ProblemText.Of(e.Reason, e.Message))
                .Distinct(StringComparer.Ordinal)
                .Take(PerService),
        ];
    }

    private static string? ServiceOf(V1ObjectReference? involved, IReadOnlyDictionary<string, string> podServices, IReadOnlyDictionary<string, string> workloads)
    {
        if (involved?.Name is not { } name)
        {
            return null;
        }

        if (involved.Kind == "Pod" && podServices.TryGetValue(name, out var podService))
        {
            return podService;
        }

        if (involved.Kind != "Pod" && !WorkloadKinds.Contains(involved.Kind ?? string.Empty))
        {
            return null;
        }

        // Pods already replaced and ReplicaSets are named after the workload; the longest matching name wins
        // (so web-api-… belongs to web-api, not web).
        var owner = workloads.Keys
            .Where(w => name == w || name.StartsWith(w + "-", StringComparison.Ordinal))
            .OrderByDescending(w => w.Length)
            .FirstOrDefault();
        return owner is null ? null : workloads[owner];
    }
}
