using System.Globalization;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// The rollout rules of <c>kubectl rollout status</c>, applied to a workload as the API server returned it: the
/// controller has seen the latest spec (observedGeneration), every replica runs the new template, no old replica is
/// left and the new ones are available. Jobs are done when complete and failed when the Job controller says so.
/// </summary>
internal static class RolloutEvaluator
{
    public static RolloutState Evaluate(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var status = deployment.Status;
        var desired = deployment.Spec?.Replicas ?? 1;
        var updated = status?.UpdatedReplicas ?? 0;
        var replicas = status?.Replicas ?? 0;
        var available = status?.AvailableReplicas ?? 0;
        if (!Observed(deployment.Metadata, status?.ObservedGeneration))
        {
            return new RolloutState(available, desired, "pending", Done: false, Failed: false);
        }

        // The controller gives up after progressDeadlineSeconds; kubectl reports that as a failed rollout.
        var progressing = status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing is { Status: "False", Reason: "ProgressDeadlineExceeded" })
        {
            return new RolloutState(available, desired, Text($"progress deadline exceeded: {progressing.Message}"), Done: false, Failed: true);
        }

        if (updated < desired)
        {
            return new RolloutState(available, desired, Count("updating", updated, desired), Done: false, Failed: false);
        }

        if (replicas > updated)
        {
            return new RolloutState(available, desired, string.Create(CultureInfo.InvariantCulture, $"terminating {replicas - updated} old"), Done: false, Failed: false);
        }

        if (available < updated)
        {
            return new RolloutState(available, desired, Count("starting", available, updated), Done: false, Failed: false);
        }

        return new RolloutState(available, desired, "ready", Done: true, Failed: false);
    }

    public static RolloutState Evaluate(V1StatefulSet statefulSet)
    {
        ArgumentNullException.ThrowIfNull(statefulSet);
        var status = statefulSet.Status;
        var desired = statefulSet.Spec?.Replicas ?? 1;
        var ready = status?.ReadyReplicas ?? 0;
        if (!Observed(statefulSet.Metadata, status?.ObservedGeneration))
        {
            return new RolloutState(ready, desired, "pending", Done: false, Failed: false);
        }

        // OnDelete: pods are only replaced when deleted, so the rollout is not something to wait for.
        var strategy = statefulSet.Spec?.UpdateStrategy;
        if (strategy?.Type is null or "RollingUpdate")
        {
            // With a partition, only ordinals at or above it are updated (kubectl waits for exactly those).
            var partition = strategy?.RollingUpdate?.Partition ?? 0;
            var mustUpdate = Math.Max(0, desired - partition);
            var updated = status?.UpdatedReplicas ?? 0;
            if (updated < mustUpdate)
            {
                return new RolloutState(ready, desired, Count("updating", updated, mustUpdate), Done: false, Failed: false);
            }

            if (partition == 0 && !string.IsNullOrEmpty(status?.UpdateRevision) && !string.IsNullOrEmpty(status.CurrentRevision)
                && status.UpdateRevision != status.CurrentRevision && ready >= desired)
            {
                return new RolloutState(ready, desired, "finishing update", Done: false, Failed: false);
            }
        }

        if (ready < desired)
        {
            return new RolloutState(ready, desired, Count("starting", ready, desired), Done: false, Failed: false);
        }

        return new RolloutState(ready, desired, "ready", Done: true, Failed: false);
    }

    public static RolloutState Evaluate(V1DaemonSet daemonSet)
    {
        ArgumentNullException.ThrowIfNull(daemonSet);
        var status = daemonSet.Status;
        var desired = status?.DesiredNumberScheduled ?? 0;
        var available = status?.NumberAvailable ?? 0;
        if (!Observed(daemonSet.Metadata, status?.ObservedGeneration))
        {
            return new RolloutState(available, desired, "pending", Done: false, Failed: false);
        }

        var updated = status?.UpdatedNumberScheduled ?? 0;
        if (daemonSet.Spec?.UpdateStrategy?.Type is null or "RollingUpdate" && updated < desired)
        {
            return new RolloutState(available, desired, Count("updating", updated, desired), Done: false, Failed: false);
        }

        if (available < desired)
        {
            return new RolloutState(available, desired, Count("starting", available, desired), Done: false, Failed: false);
        }

        return new RolloutState(available, desired, "ready", Done: true, Failed: false);
    }

    public static RolloutState Evaluate(V1Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var desired = job.Spec?.Completions ?? 1;
        var succeeded = job.Status?.Succeeded ?? 0;
        var conditions = job.Status?.Conditions ?? [];
        if (conditions.FirstOrDefault(c => c.Type == "Complete" && c.Status == "True") is not null)
        {
            return new RolloutState(succeeded, desired, "complete", Done: true, Failed: false);
        }

        if (conditions.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
        {
            var why = string.IsNullOrEmpty(failed.Message) ? failed.Reason : $"{failed.Reason}: {failed.Message}";
            return new RolloutState(succeeded, desired, Text(string.IsNullOrEmpty(why) ? "failed" : $"failed: {why}"), Done: false, Failed: true);
        }

        var state = (job.Status?.Active ?? 0) > 0 ? "running" : "pending";
        return new RolloutState(succeeded, desired, Count(state, succeeded, desired), Done: false, Failed: false);
    }

    /// <summary>Evaluates a workload of any kind this waiter knows; other objects are never done.</summary>
    public static RolloutState Evaluate(object? workload) => workload switch
    {
        V1Deployment d => Evaluate(d),
        V1StatefulSet s => Evaluate(s),
        V1DaemonSet d => Evaluate(d),
        V1Job j => Evaluate(j),
        _ => RolloutState.Missing,
    };

    /// <summary>The controller has acted on the latest spec; until then every other status field describes the old one.</summary>
    private static bool Observed(V1ObjectMeta? metadata, long? observedGeneration)
        => (observedGeneration ?? 0) >= (metadata?.Generation ?? 0) && observedGeneration is not null;

    private static string Count(string state, int of, int total)
        => string.Create(CultureInfo.InvariantCulture, $"{state} {of}/{total}");

    internal static string Text(string message) => ProblemText.OneLine(message);
}
