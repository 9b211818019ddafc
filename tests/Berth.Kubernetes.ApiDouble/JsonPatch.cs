using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonArray operations)
    {
        var document = (JsonObject)target.DeepClone();
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation["op"]?.ToString();
            var path = operation["path"]?.ToString() ?? throw ApiException.BadRequest("json patch operation without path");
            switch (op)
            {
                case "add":
                    Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    var moved = Get(document, From(operation))?.DeepClone();
                    Remove(document, From(operation));
                    Add(document, path, moved);
                    break;
                case "copy":
                    Add(document, path, Get(document, From(operation))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), operation["value"]))
                    {
                        throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"unexpected json patch operation \"{op}\"");
            }
        }

        return document;
    }

    private static string From(JsonObject operation) => operation["from"]?.ToString() ?? throw ApiException.BadRequest("json patch operation without from");

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    private static JsonNode? Get(JsonNode root, string pointer)
    {
        JsonNode? current = root;
        foreach (var token in Tokens(pointer))
        {
            current = current switch
            {
                JsonObject map when map.TryGetPropertyValue(token, out var child) => child,
                JsonArray list when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Count => list[i],
                _ => throw Missing(pointer),
            };
        }

        return current;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string pointer)
    {
        var tokens = Tokens(pointer);
        if (tokens.Length == 0)
        {
            throw ApiException.BadRequest("json patch cannot replace the whole object");
        }

        var parent = Get(root, "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        return (parent ?? throw Missing(pointer), tokens[^1]);
    }

    private static void Add(JsonNode root, string pointer, JsonNode? value)
    {
        var (parent, last) = Tokens(pointer).Length == 1 ? (root, Tokens(pointer)[0]) : Parent(root, pointer);
        switch (parent)
        {
            case JsonObject map:
                map[last] = value;
                break;
            case JsonArray list when last == "-":
                list.Add(value);
                break;
            case JsonArray list when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= list.Count:
                list.Insert(i, value);
                break;
            default:
                throw Missing(pointer);
        }
    }

    private static void Remove(JsonNode root, string pointer)
    {
        var (parent, last) = Tokens(pointer).Length == 1 ? (root, Tokens(pointer)[0]) : Parent(root, pointer);
        switch (parent)
        {
            case JsonObject map when map.ContainsKey(last):
                map.Remove(last);
                break;
            case JsonArray list when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Count:
                list.RemoveAt(i);
                break;
            default:
                throw Missing(pointer);
        }
    }

    private static ApiException Missing(string pointer) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: doc is missing path: \"{pointer}\"");
}
