using System.Text.Json.Nodes;
using Berth.StackApi.Types;

namespace Berth.StackApi;

/// <summary>Conversions between the storage form's parts and the served versions' specs.</summary>
internal static class StackConversions
{
    private static readonly string[] AlphaFields = [.. StackShapes.Service.Fields.Where(f => f.AlphaOnly).Select(f => f.Name)];

    /// <summary>The stored v1alpha3 StackSpec (a copy), or null when the stack has none.</summary>
    public static JsonObject? StructuredSpec(JsonObject stored)
        => stored["spec"]?[StackCodec.StackKey] is JsonObject stack ? (JsonObject)stack.DeepClone() : null;

    /// <summary>A v1alpha3 spec as v1beta2 says it: the same minus the services' v1alpha3-only fields.</summary>
    public static JsonObject WithoutAlphaFields(JsonObject spec)
    {
        var copy = (JsonObject)spec.DeepClone();
        foreach (var service in Services(copy))
        {
            foreach (var name in AlphaFields)
            {
                service.Remove(name);
            }
        }

        return copy;
    }

    /// <summary>
    /// A v1beta2 write cannot say the v1alpha3-only fields: take them from the stored service of the same name, so
    /// nothing is lost (compose-on-kubernetes lost them: v1beta2 converted through v1alpha3 with them empty).
    /// They are the last fields of ServiceConfig, so appending keeps Go's field order.
    /// </summary>
    public static void KeepAlphaFields(JsonObject spec, JsonObject? existing)
    {
        if (existing is null)
        {
            return;
        }

        var old = Services(existing).Where(s => s["name"] is JsonValue).GroupBy(s => s["name"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.First());
        foreach (var service in Services(spec))
        {
            if (service["name"] is JsonValue name && old.TryGetValue(name.GetValue<string>(), out var previous))
            {
                foreach (var field in AlphaFields)
                {
                    if (previous[field] is { } value)
                    {
                        service[field] = value.DeepClone();
                    }
                }
            }
        }
    }

    public static IEnumerable<JsonObject> Services(JsonObject spec)
        => spec["services"] is JsonArray services ? services.OfType<JsonObject>() : [];
}
