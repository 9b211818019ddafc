using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Controller.Reconcile;

/// <summary>The phases compose-on-kubernetes's controller writes (api/compose/v1beta2 StackPhase), so its clients read them.</summary>
internal enum StackPhase
{
    Available,
    Progressing,
    Failure,
    ReconciliationPending,
}

/// <summary>
/// What a reconcile found, as the stack's status: compose-on-kubernetes's phase and message, plus observedGeneration
/// and the conditions Ready, Progressing and Failed (True for the one the phase says), each with a reason.
/// </summary>
internal sealed record StackStatus(StackPhase Phase, string Reason, string Message, long Generation)
{
    public static StackStatus Failure(string reason, string message, long generation) => new(StackPhase.Failure, reason, message, generation);

    /// <summary>Each service's workload and pods (status.services); default when the stack's objects were not read (a failure before).</summary>
    public ImmutableArray<ServiceStatus> Services { get; init; }

    /// <summary>
    /// A failure that may heal by itself (RBAC granted, the server back): retried with backoff. An invalid file, a
    /// collision or a failing pod waits for a change (of the stack, the colliding object or the pods).
    /// </summary>
    public bool Retried => Phase == StackPhase.Failure && Reason is "ClusterUnavailable" or "Forbidden" or "Conflict" or "ApplyFailed" or "RemoveFailed" or "PolicyUnavailable";

    /// <summary>What the apply changed, when it changed something (for the Applied event); not part of the status.</summary>
    public AppliedCounts? Applied { get; init; }

    /// <summary>
    /// The merge patch that makes <paramref name="current"/> say this: <see cref="ToJson"/>, with null for every
    /// field of the stored status this one no longer has (a merge patch keeps what it does not name: a service
    /// gone, a problem solved, services when this status has none), at every depth.
    /// </summary>
    public JsonObject Patch(JsonObject? current, DateTime now)
    {
        var status = ToJson(current, now);
        RemoveStale(status, current);
        return status;
    }

    private static void RemoveStale(JsonObject patch, JsonObject? stored)
    {
        foreach (var (name, value) in stored ?? [])
        {
            if (!patch.ContainsKey(name))
            {
                patch[name] = null;
            }
            else if (patch[name] is JsonObject inner && value is JsonObject storedInner)
            {
                RemoveStale(inner, storedInner);
            }
        }
    }

    /// <summary>
    /// The status object. A condition keeps the lastTransitionTime of <paramref name="current"/> when its status is
    /// the same, as meta.SetStatusCondition does (apimachinery pkg/api/meta/conditions.go).
    /// </summary>
    public JsonObject ToJson(JsonObject? current, DateTime now)
    {
        var conditions = new JsonArray();
        foreach (var (type, on) in new[] { ("Ready", Phase == StackPhase.Available), ("Progressing", Phase == StackPhase.Progressing), ("Failed", Phase == StackPhase.Failure) })
        {
            var status = on ? "True" : "False";
            var earlier = (current?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type);
            var since = earlier?["status"]?.ToString() == status && earlier["lastTransitionTime"]?.ToString() is { Length: > 0 } kept
                ? kept
                : now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            conditions.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = status,
                ["reason"] = Reason,
                ["message"] = Message,
                ["lastTransitionTime"] = since,
            });
        }

        var json = new JsonObject
        {
            ["phase"] = Phase.ToString(),
            ["message"] = Message,
            ["observedGeneration"] = Generation,
            ["conditions"] = conditions,
        };
        if (!Services.IsDefaultOrEmpty)
        {
            json["services"] = new JsonObject(Services.DistinctBy(s => s.Name).Select(s => KeyValuePair.Create(s.Name, (JsonNode?)s.ToJson())));
        }

        return json;
    }

    /// <summary>Whether <paramref name="current"/> already says this (times aside): then nothing is written.</summary>
    public bool IsWritten(JsonObject? current)
        => current is not null && JsonNode.DeepEquals(ToJson(current, DateTime.UnixEpoch), current);
}

/// <summary>How many objects an apply created, updated and pruned.</summary>
internal sealed record AppliedCounts(int Created, int Updated, int Pruned);
