using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Status conditions that keep their timestamps while status and reason stay the same (no churn).</summary>
internal static class WorkloadConditions
{
    public static JsonObject Make(JsonObject? previousStatus, string type, bool status, string reason, string message, string now, bool withUpdateTime = true)
    {
        var previous = (previousStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == type);
        var statusText = status ? "True" : "False";
        var unchanged = previous is not null && previous["status"]?.ToString() == statusText && previous["reason"]?.ToString() == reason;
        var condition = new JsonObject { ["type"] = type, ["status"] = statusText };
        if (withUpdateTime)
        {
            condition["lastUpdateTime"] = unchanged && previous!["message"]?.ToString() == message ? previous["lastUpdateTime"]?.DeepClone() : now;
        }

        condition["lastTransitionTime"] = unchanged ? previous!["lastTransitionTime"]?.DeepClone() : now;
        condition["reason"] = reason;
        condition["message"] = message;
        return condition;
    }

    /// <summary>Sets a count the way the real controllers serialize it: zero is omitted.</summary>
    public static void Count(JsonObject status, string key, int value)
    {
        if (value == 0)
        {
            status.Remove(key);
        }
        else
        {
            status[key] = value;
        }
    }
}
