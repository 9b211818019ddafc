using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// Names the fields an apply would change, as dotted paths (<c>spec.template.spec.containers[web].image</c>),
/// never values. Walks what Berth sends: fields only the server set (defaults, status) never count. Fields Berth
/// set last time (its managedFields entry) that it no longer sends count as changed: the apply removes them.
/// Lists of objects with a <c>name</c> are matched by name. For Secrets only <c>data</c> is named.
/// </summary>
internal static class FieldDiff
{
    private static readonly HashSet<string> TopLevelIgnored = new(StringComparer.Ordinal) { "apiVersion", "kind", "status" };

    public static ImmutableArray<string> Changed(JsonObject desired, JsonObject live, string fieldManager)
    {
        var fields = new SortedSet<string>(StringComparer.Ordinal);
        var secret = (string?)desired["kind"] == "Secret";
        foreach (var (key, value) in desired)
        {
            if (TopLevelIgnored.Contains(key) || (secret && key is "data" or "stringData"))
            {
                continue;
            }

            Compare(value, live[key], Segment(string.Empty, key), fields);
        }

        fields.Remove("metadata.annotations[" + AppliedObject.HashAnnotation + "]");
        var sent = new HashSet<string>(StringComparer.Ordinal);
        Paths(desired, string.Empty, sent);
        foreach (var owned in OwnedPaths(live, fieldManager))
        {
            if (!sent.Contains(owned) && !(secret && owned.StartsWith("data", StringComparison.Ordinal)))
            {
                fields.Add(owned);
            }
        }

        return [.. fields];
    }

    private static void Compare(JsonNode? want, JsonNode? have, string path, SortedSet<string> fields)
    {
        switch (want)
        {
            case JsonObject obj when have is JsonObject current:
                foreach (var (key, value) in obj)
                {
                    Compare(value, current[key], Segment(path, key), fields);
                }

                break;
            case JsonArray array when have is JsonArray current && Named(array) && Named(current):
                foreach (var item in array)
                {
                    var name = (string)item!["name"]!;
                    var match = current.FirstOrDefault(c => (string?)c?["name"] == name);
                    Compare(item, match, $"{path}[{name}]", fields);
                }

                break;
            case JsonArray array when have is JsonArray current && array.Count == current.Count:
                for (var i = 0; i < array.Count; i++)
                {
                    Compare(array[i], current[i], $"{path}[{i}]", fields);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(want, have))
                {
                    fields.Add(path);
                }

                break;
        }
    }

    private static bool Named(JsonArray array) => array.Count > 0 && array.All(i => i is JsonObject o && o["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String);

    /// <summary>Every path (and its prefixes) of the object Berth sends, in the form the diff reports.</summary>
    private static void Paths(JsonNode? node, string path, HashSet<string> paths)
    {
        if (path.Length > 0)
        {
            paths.Add(path);
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Paths(value, Segment(path, key), paths);
                }

                break;
            case JsonArray array when Named(array):
                foreach (var item in array)
                {
                    Paths(item, $"{path}[{(string)item!["name"]!}]", paths);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The leaf paths Berth's last apply set, from its managedFields entry (fieldsV1: f:key, k:{"name":…}).</summary>
    private static List<string> OwnedPaths(JsonObject live, string fieldManager)
    {
        var result = new List<string>();
        foreach (var entry in live["metadata"]?["managedFields"]?.AsArray() ?? [])
        {
            if ((string?)entry?["manager"] == fieldManager && (string?)entry?["operation"] == "Apply" && entry?["fieldsV1"] is JsonObject fields)
            {
                Owned(fields, string.Empty, result);
            }
        }

        return result;
    }

    private static void Owned(JsonObject fields, string path, List<string> result)
    {
        var leaf = true;
        foreach (var (key, value) in fields)
        {
            if (key == ".")
            {
                continue;
            }

            string? child = null;
            if (key.StartsWith("f:", StringComparison.Ordinal))
            {
                child = Segment(path, key[2..]);
            }
            else if (key.StartsWith("k:", StringComparison.Ordinal) && Name(key[2..]) is { } name)
            {
                child = $"{path}[{name}]";
            }

            if (child is null)
            {
                // Set members and elements keyed by something other than a name: compared by the walk above.
                leaf = false;
                continue;
            }

            leaf = false;
            if (value is JsonObject nested && nested.Count > 0 && !(nested.Count == 1 && nested.ContainsKey(".")))
            {
                Owned(nested, child, result);
            }
            else
            {
                result.Add(child);
            }
        }

        if (leaf && path.Length > 0)
        {
            result.Add(path);
        }
    }

    private static string? Name(string key)
    {
        try
        {
            return JsonNode.Parse(key) is JsonObject obj && obj.Count == 1 && obj["name"] is JsonValue v && v.TryGetValue<string>(out var name) ? name : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Segment(string path, string key)
    {
        var simple = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        return simple ? (path.Length == 0 ? key : $"{path}.{key}") : $"{path}[{key}]";
    }
}
