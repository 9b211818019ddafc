using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// Reads pods (and the events about them) for the problems a user must hear about before a timeout: images that
/// cannot be pulled, crash loops, OOM kills, unschedulable pods, bad container config and failing probes.
/// Only reasons and messages the API reports are used; nothing is read from a container's environment or volumes.
/// </summary>
internal static class PodProblemClassifier
{
    /// <summary>Waiting reasons the kubelet keeps retrying without success until something is changed.</summary>
    private static readonly FrozenSet<string> HardWaitingReasons = FrozenSet.Create(
        StringComparer.Ordinal, "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "CrashLoopBackOff");

    /// <summary>How long ago a probe failure event may have been last seen to count as current.</summary>
    private static readonly TimeSpan RecentEvent = TimeSpan.FromMinutes(5);

    public static string? ServiceOf(V1Pod pod) => pod.Metadata?.Labels?.TryGetValue(StackLabels.ServiceName, out var name) == true ? name : null;

    /// <summary>One problem at most per pod, the most telling one; terminating pods and pods without a service label are skipped.</summary>
    public static ImmutableArray<PodProblem> Classify(IEnumerable<V1Pod> pods, IReadOnlyList<Corev1Event> events, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(events);
        var problems = ImmutableArray.CreateBuilder<PodProblem>();
        foreach (var pod in pods.OrderBy(p => p.Metadata?.Name, StringComparer.Ordinal))
        {
            if (ServiceOf(pod) is not null && pod.Metadata?.DeletionTimestamp is null && ProblemOf(pod, events, now) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return problems.ToImmutable();
    }

    /// <summary>A running pod that is not ready: only its events say whether a probe is failing, so they are worth a request.</summary>
    public static bool NeedsEvents(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Metadata?.DeletionTimestamp is null && pod.Status?.Phase == "Running" && Condition(pod, "Ready") is { Status: "False" };
    }

    /// <summary>The most telling problem of one pod (whatever its labels or deletion), or null when it has none.</summary>
    public static PodProblem? ProblemOf(V1Pod pod, IReadOnlyList<Corev1Event> events, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(events);
        var service = ServiceOf(pod) ?? string.Empty;
        var name = pod.Metadata?.Name ?? string.Empty;
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).ToList();

        // An OOM kill is followed by a restart (and a crash-loop back-off): the kill is the reason to report.
        if (statuses.FirstOrDefault(s => s.LastState?.Terminated?.Reason == "OOMKilled" || s.State?.Terminated?.Reason == "OOMKilled") is { } killed)
        {
            var message = string.Create(CultureInfo.InvariantCulture, $"container {killed.Name} exceeded its memory limit (restarts: {killed.RestartCount})");
            return new PodProblem(service, name, "OOMKilled", message, FailsFast: true);
        }

        if (statuses.FirstOrDefault(s => s.State?.Waiting?.Reason is { } r && HardWaitingReasons.Contains(r)) is { } waiting)
        {
            var reason = waiting.State.Waiting.Reason;
            var message = waiting.State.Waiting.Message ?? string.Empty;
            if (reason == "CrashLoopBackOff" && waiting.LastState?.Terminated is { } last)
            {
                message = string.Create(CultureInfo.InvariantCulture, $"{message} (last exit code {last.ExitCode}{(string.IsNullOrEmpty(last.Reason) ? string.Empty : ", " + last.Reason)})").Trim();
            }

            return new PodProblem(service, name, reason, message, FailsFast: true);
        }

        if (Condition(pod, "PodScheduled") is { Status: "False", Reason: "Unschedulable" } unschedulable)
        {
            // Two waits that end by themselves: a volume still being provisioned, and the cluster autoscaler adding a node.
            var message = unschedulable.Message ?? string.Empty;
            var waitsForVolume = message.Contains("PersistentVolumeClaim", StringComparison.Ordinal);
            var scalingUp = events.Any(e => e.Reason == "TriggeredScaleUp" && e.InvolvedObject?.Kind == "Pod" && e.InvolvedObject.Name == name);
            return new PodProblem(service, name, "Unschedulable", message, FailsFast: !waitsForVolume && !scalingUp);
        }

        if (NeedsEvents(pod))
        {
            var probe = events
                .Where(e => e.Type == "Warning" && e.Reason == "Unhealthy" && e.InvolvedObject?.Kind == "Pod" && e.InvolvedObject.Name == name)
                .Where(e => Timestamp(e) is not { } at || now - at <= RecentEvent)
                .OrderByDescending(e => Timestamp(e) ?? DateTime.MinValue)
                .FirstOrDefault();
            if (probe is not null)
            {
                return new PodProblem(service, name, "Unhealthy", probe.Message ?? string.Empty, FailsFast: false);
            }
        }

        return null;
    }

    private static V1PodCondition? Condition(V1Pod pod, string type) => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>When an event was last seen: core/v1 events carry lastTimestamp, events.k8s.io ones only eventTime.</summary>
    public static DateTime? Timestamp(Corev1Event e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata?.CreationTimestamp;
    }
}
