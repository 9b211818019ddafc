using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>
/// Finds list items that share their list-map key, which server-side apply refuses (kubernetes/kubernetes#113482).
/// The keys come from the OpenAPI document: a list whose schema says <c>x-kubernetes-list-type: map</c> is keyed by
/// its <c>x-kubernetes-list-map-keys</c>, else by its <c>x-kubernetes-patch-merge-key</c>; a <c>set</c> by the whole
/// item. The object's definition is chosen by apiVersion and kind through the schema index (index.json).
/// </summary>
internal sealed class ListMapKeyChecker
{
    private const string DefinitionsRef = "#/definitions/";

    private static readonly Lazy<ListMapKeyChecker> _shared = new(() => new ListMapKeyChecker(TestPaths.KubernetesSchemaIndex, TestPaths.KubernetesOpenApi));

    private readonly JsonObject _definitions;
    private readonly ImmutableDictionary<(string ApiVersion, string Kind), string> _kinds;

    // JsonNode materialises its children lazily on first read, so concurrent readers must not share it unguarded.
    private readonly Lock _lock = new();

    public ListMapKeyChecker(string index, string openApi)
    {
        using (var file = File.OpenRead(openApi))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        {
            _definitions = JsonNode.Parse(gzip)?["definitions"]?.AsObject() ?? throw new InvalidDataException($"{openApi}: no definitions");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(index));
        _kinds = document.RootElement.EnumerateArray().ToImmutableDictionary(
            e => (e.GetProperty("apiVersion").GetString()!, e.GetProperty("kind").GetString()!),
            e => e.GetProperty("definition").GetString()!);
    }

    public static ListMapKeyChecker Shared => _shared.Value;

    /// <summary>The key fields of a list property of a definition, as the OpenAPI declares them (empty when it declares none).</summary>
    public ImmutableArray<string> KeysOf(string definition, string property)
    {
        lock (_lock)
        {
            var schema = Resolve(_definitions[definition]?["properties"]?[property]?.AsObject() ?? throw new InvalidDataException($"no property {definition}.{property}"));
            return Keys(schema) ?? [];
        }
    }

    /// <summary>Every duplicate key in one object (a JSON object with apiVersion and kind), one line each.</summary>
    public IReadOnlyList<string> Duplicates(JsonNode manifest)
    {
        var apiVersion = (manifest["apiVersion"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        var kind = (manifest["kind"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        var label = $"{kind}/{(manifest["metadata"]?["name"] as JsonValue)?.GetValue<string>() ?? "<no name>"}";
        if (!_kinds.TryGetValue((apiVersion, kind), out var definition))
        {
            return [$"{label}: no OpenAPI definition for apiVersion '{apiVersion}' kind '{kind}'"];
        }

        var found = new List<string>();
        lock (_lock)
        {
            Walk(manifest, Resolve(_definitions[definition]!.AsObject()), label + " ", found);
        }

        return found;
    }

    private void Walk(JsonNode? node, JsonObject schema, string path, List<string> found)
    {
        switch (node)
        {
            case JsonObject value when schema["properties"] is JsonObject properties:
                foreach (var (name, child) in value)
                {
                    if (properties[name] is JsonObject property)
                    {
                        Walk(child, Resolve(property), $"{path}/{name}", found);
                    }
                }

                break;
            case JsonObject map when schema["additionalProperties"] is JsonObject values:
                foreach (var (name, child) in map)
                {
                    Walk(child, Resolve(values), $"{path}/{name}", found);
                }

                break;
            case JsonArray list when schema["items"] is JsonObject items:
                CheckKeys(list, schema, path, found);
                var itemSchema = Resolve(items);
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(list[i], itemSchema, $"{path}/{i}", found);
                }

                break;
        }
    }

    private static void CheckKeys(JsonArray list, JsonObject schema, string path, List<string> found)
    {
        var keys = Keys(schema);
        var isSet = (schema["x-kubernetes-list-type"] as JsonValue)?.GetValue<string>() == "set";
        if (keys is null && !isSet)
        {
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var key = keys is null
                ? list[i]?.ToJsonString() ?? "null"
                : string.Join(", ", keys.Value.Select(k => $"{k}={list[i]?[k]?.ToJsonString() ?? "(absent)"}"));
            if (!seen.TryAdd(key, i))
            {
                found.Add($"{path}: items {seen[key]} and {i} share the key {key}");
            }
        }
    }

    private static ImmutableArray<string>? Keys(JsonObject schema)
    {
        var listType = (schema["x-kubernetes-list-type"] as JsonValue)?.GetValue<string>();
        if (listType == "map" && schema["x-kubernetes-list-map-keys"] is JsonArray mapKeys)
        {
            return [.. mapKeys.Select(k => k!.GetValue<string>())];
        }

        // An atomic list is replaced whole, so it may repeat items; otherwise the strategic-merge key is the key.
        return listType != "atomic" && schema["x-kubernetes-patch-merge-key"] is JsonValue mergeKey ? [mergeKey.GetValue<string>()] : null;
    }

    private JsonObject Resolve(JsonObject schema)
        => schema["$ref"] is JsonValue reference
            ? Resolve(_definitions[reference.GetValue<string>()[DefinitionsRef.Length..]]?.AsObject() ?? throw new InvalidDataException($"no definition {reference}"))
            : schema;
}
