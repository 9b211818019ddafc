using System.Text.Json.Nodes;

namespace Berth.Compose.Tests.Parity;

/// <summary>Lists the paths where two JSON trees differ.</summary>
internal static class JsonDiff
{
    public static List<string> Differences(JsonNode? expected, JsonNode? actual, string path = "")
    {
        var diffs = new List<string>();
        Walk(expected, actual, path, diffs);
        return diffs;
    }

    private static void Walk(JsonNode? expected, JsonNode? actual, string path, List<string> diffs)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)).Order(StringComparer.Ordinal))
                {
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    if (!e.ContainsKey(key))
                    {
                        diffs.Add($"{child}: only in berth: {a[key]?.ToJsonString()}");
                    }
                    else if (!a.ContainsKey(key))
                    {
                        diffs.Add($"{child}: only in docker: {e[key]?.ToJsonString()}");
                    }
                    else
                    {
                        Walk(e[key], a[key], child, diffs);
                    }
                }

                break;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    diffs.Add($"{path}: docker {e.ToJsonString()} vs berth {a.ToJsonString()}");
                    break;
                }

                for (var i = 0; i < e.Count; i++)
                {
                    Walk(e[i], a[i], $"{path}[{i}]", diffs);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    diffs.Add($"{path}: docker {expected?.ToJsonString() ?? "null"} vs berth {actual?.ToJsonString() ?? "null"}");
                }

                break;
        }
    }
}
