using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>The cells of a stack's row in <c>kubectl get stacks</c>.</summary>
public static class StackSummary
{
    /// <summary>
    /// Services: how many. Ports: each port as <c>published:target/protocol</c> (<c>target/protocol</c> when not
    /// published), in service order, joined by ",", or "-" when none. Status: the phase, or Pending before any.
    /// </summary>
    public static (int Services, string Ports, string Status) Of(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var spec = StackConversions.StructuredSpec(stored);
        var services = spec is null ? [] : StackConversions.Services(spec).ToList();
        var ports = new List<string>();
        foreach (var service in services)
        {
            if (service["ports"] is not JsonArray list)
            {
                continue;
            }

            foreach (var port in list.OfType<JsonObject>())
            {
                var target = Number(port["target"]);
                var published = Number(port["published"]);
                var protocol = port["protocol"]?.GetValue<string>() is { Length: > 0 } p ? p.ToLowerInvariant() : "tcp";
                var targetText = target.ToString(CultureInfo.InvariantCulture);
                ports.Add(published > 0 ? $"{published.ToString(CultureInfo.InvariantCulture)}:{targetText}/{protocol}" : $"{targetText}/{protocol}");
            }
        }

        var phase = stored["status"]?["phase"]?.GetValue<string>();
        return (services.Count, ports.Count == 0 ? "-" : string.Join(',', ports), string.IsNullOrEmpty(phase) ? "Pending" : phase);
    }

    private static long Number(JsonNode? node)
        => node is JsonValue v && Types.GoJson.TryInt64(v, out var n) ? n : 0;
}
