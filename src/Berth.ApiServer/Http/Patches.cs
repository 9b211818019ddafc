using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Http;

/// <summary>JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server applies them to the object JSON.</summary>
internal static class Patches
{
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key], value);
            }
        }

        return result;
    }

    /// <summary>Applies the operations in order; a failing operation is a 422 as in handlers/patch.go.</summary>
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["r"] = document.DeepClone() };
        foreach (var node in operations)
        {
            if (node is not JsonObject op || op["op"]?.ToString() is not { } kind || op["path"]?.ToString() is not { } path)
            {
                throw Invalid("each operation needs \"op\" and \"path\"");
            }

            switch (kind)
            {
                case "add":
                    Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op));
                    break;
                case "move":
                    var moved = Get(root, From(op)) ?? throw Invalid($"move: missing value at {From(op)}");
                    Remove(root, From(op));
                    Add(root, path, moved.DeepClone());
                    break;
                case "copy":
                    Add(root, path, (Get(root, From(op)) ?? throw Invalid($"copy: missing value at {From(op)}")).DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw Invalid($"testing value {path} failed");
                    }

                    break;
                default:
                    throw Invalid($"Unexpected kind: {kind}");
            }
        }

        return root["r"]!;
    }

    private static ApiException Invalid(string message) => new(422, "Invalid", message);

    private static string From(JsonObject op) => op["from"]?.ToString() ?? throw Invalid("\"from\" is required");

    private static JsonNode? Value(JsonObject op) => op.ContainsKey("value") ? op["value"]?.DeepClone() : throw Invalid("\"value\" is required");

    private static List<string> Tokens(string path)
    {
        if (path.Length > 0 && path[0] != '/')
        {
            throw Invalid($"invalid JSON pointer: {path}");
        }

        return ["r", .. path.Length == 0 ? [] : path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static (JsonNode Parent, string Key) Parent(JsonObject root, string path)
    {
        var tokens = Tokens(path);
        JsonNode current = root;
        foreach (var token in tokens.Take(tokens.Count - 1))
        {
            current = Child(current, token) ?? throw Invalid($"doc is missing path: {path}");
        }

        return (current, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode? Get(JsonObject root, string path)
    {
        var (parent, key) = Parent(root, path);
        return Child(parent, key);
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, key) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o:
                o[key] = value;
                break;
            case JsonArray a when key == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Invalid($"add operation does not apply: doc is missing path: {path}");
        }
    }

    private static void Remove(JsonObject root, string path)
    {
        var (parent, key) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(key):
                o.Remove(key);
                break;
            case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Invalid($"remove operation does not apply: doc is missing path: {path}");
        }
    }
}
