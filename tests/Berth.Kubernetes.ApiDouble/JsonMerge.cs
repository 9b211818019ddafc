using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// JSON merge patch (RFC 7396) and the merge used by server-side apply: maps merged field by field, lists
/// merged the way the schema says (items of keyed lists matched by key, set members united, others replaced).
/// </summary>
internal static class JsonMerge
{
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchMap)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetMap ? (JsonObject)targetMap.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchMap)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result.TryGetPropertyValue(key, out var existing);
                result[key] = MergePatch(existing, value);
            }
        }

        return result;
    }

    /// <summary>Sets every field of <paramref name="applied"/> in <paramref name="target"/>, recursing into maps and keyed lists.</summary>
    public static void ApplyInto(JsonObject target, JsonObject applied, SchemaNode? schema)
    {
        foreach (var (key, value) in applied)
        {
            if (value is null)
            {
                continue;
            }

            var field = schema?.Field(key);
            switch (value)
            {
                case JsonObject appliedMap when appliedMap.Count > 0:
                    if (target[key] is not JsonObject targetMap)
                    {
                        targetMap = new JsonObject();
                        target[key] = targetMap;
                    }

                    ApplyInto(targetMap, appliedMap, field);
                    break;
                case JsonArray items when items.Count > 0 && field is { List: ListKind.Map, Items: not null } && target[key] is JsonArray live:
                    foreach (var item in items.OfType<JsonObject>())
                    {
                        var itemKey = FieldPaths.KeyOf(item, field.Keys);
                        var match = live.OfType<JsonObject>().FirstOrDefault(l => FieldPaths.KeyOf(l, field.Keys) == itemKey);
                        if (match is null)
                        {
                            live.Add(item.DeepClone());
                        }
                        else
                        {
                            ApplyInto(match, item, field.Items);
                        }
                    }

                    break;
                case JsonArray members when members.Count > 0 && field is { List: ListKind.Set } && target[key] is JsonArray live:
                    var present = live.Select(m => m?.ToJsonString()).ToHashSet(StringComparer.Ordinal);
                    foreach (var member in members.Where(m => present.Add(m?.ToJsonString())))
                    {
                        live.Add(member?.DeepClone());
                    }

                    break;
                default:
                    target[key] = value.DeepClone();
                    break;
            }
        }
    }
}
