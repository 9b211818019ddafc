using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>JSON merge patch (RFC 7396) and the map merge used by server-side apply (lists replaced whole).</summary>
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

    /// <summary>Sets every field of <paramref name="applied"/> in <paramref name="target"/>, recursing into maps.</summary>
    public static void ApplyInto(JsonObject target, JsonObject applied)
    {
        foreach (var (key, value) in applied)
        {
            if (value is null)
            {
                continue;
            }

            if (value is JsonObject appliedMap && appliedMap.Count > 0)
            {
                if (target[key] is not JsonObject targetMap)
                {
                    targetMap = new JsonObject();
                    target[key] = targetMap;
                }

                ApplyInto(targetMap, appliedMap);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }
}
