using System.Text.RegularExpressions;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// Tells pods of a workload's current revision from those of the revision being replaced, so that the problems of
/// pods on their way out (the broken image a redeploy is fixing) neither show nor fail the wait. Costs no request:
/// a Deployment's Progressing condition names its new ReplicaSet; a StatefulSet's status names its update revision.
/// When that is not known, every pod counts.
/// </summary>
internal static partial class CurrentRevision
{
    public static bool IsCurrent(V1Pod pod, IEnumerable<object?> workloads)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(workloads);
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata?.OwnerReferences?.FirstOrDefault();
        if (owner is null)
        {
            return true;
        }

        // web-api-5d8f7 belongs to web-api, not web: the longest name that fits is the owner.
        foreach (var workload in workloads.OfType<IMetadata<V1ObjectMeta>>().OrderByDescending(w => w.Metadata?.Name?.Length ?? 0))
        {
            switch (workload)
            {
                case V1Deployment d when owner.Kind == "ReplicaSet" && owner.Name.StartsWith(d.Metadata?.Name + "-", StringComparison.Ordinal):
                    return NewReplicaSet(d) is not { } current || owner.Name == current;
                case V1StatefulSet s when owner.Kind == "StatefulSet" && owner.Name == s.Metadata?.Name:
                    var revision = pod.Metadata?.Labels?.TryGetValue("controller-revision-hash", out var r) == true ? r : null;
                    var update = s.Status?.UpdateRevision;
                    return string.IsNullOrEmpty(revision) || string.IsNullOrEmpty(update) || revision == update;
            }
        }

        return true;
    }

    /// <summary>
    /// The ReplicaSet the deployment controller is rolling out, from its Progressing condition ("Created new replica
    /// set \"web-5d8f7\"", "ReplicaSet \"web-5d8f7\" is progressing.", "… has successfully progressed."); null when
    /// the controller has not yet acted on the latest spec or the message names none.
    /// </summary>
    public static string? NewReplicaSet(V1Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if ((deployment.Status?.ObservedGeneration ?? -1) < (deployment.Metadata?.Generation ?? 0))
        {
            return null;
        }

        var progressing = deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        return progressing?.Message is { } message && ReplicaSetName().Match(message) is { Success: true } match ? match.Groups[1].Value : null;
    }

    [GeneratedRegex("[Rr]eplica ?[Ss]et \"([^\"]+)\"")]
    private static partial Regex ReplicaSetName();
}
