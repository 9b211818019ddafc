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

        return new JsonObject
        {
            ["phase"] = Phase.ToString(),
            ["message"] = Message,
            ["observedGeneration"] = Generation,
            ["conditions"] = conditions,
        };
    }

    /// <summary>Whether <paramref name="current"/> already says this (times aside): then nothing is written.</summary>
    public bool IsWritten(JsonObject? current)
        => current is not null && JsonNode.DeepEquals(ToJson(current, DateTime.UnixEpoch), current);
}
