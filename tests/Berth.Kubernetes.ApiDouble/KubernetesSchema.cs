using System.Collections.Frozen;
using System.IO.Compression;
using System.Text.Json;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>How server-side apply treats a list: replaced whole, a set of scalars, or a map of items by key.</summary>
internal enum ListKind
{
    Atomic,
    Set,
    Map,
}

/// <summary>
/// The shape of one schema node, as far as server-side apply needs it: struct fields, map values, list items
/// with their list type and keys. Read from the Kubernetes OpenAPI v2 document
/// (testdata/schemas/kubernetes/swagger.json.gz, release-1.36, embedded in this assembly). Filled once while
/// loading (definitions refer to each other, some recursively, so nodes exist before their contents); only read after.
/// </summary>
internal sealed class SchemaNode
{
    public Dictionary<string, SchemaNode>? Fields { get; set; }

    public SchemaNode? Values { get; set; }

    public SchemaNode? Items { get; set; }

    public ListKind List { get; set; }

    public IReadOnlyList<string> Keys { get; set; } = [];

    public SchemaNode? Field(string name) => Fields?.GetValueOrDefault(name) ?? Values;
}

/// <summary>
/// The Kubernetes OpenAPI document, parsed once (lazily, shared by every double in the process) into the list
/// types and keys server-side apply merges by: <c>x-kubernetes-list-type</c> / <c>x-kubernetes-list-map-keys</c>,
/// else <c>x-kubernetes-patch-strategy: merge</c> with <c>x-kubernetes-patch-merge-key</c>, as
/// k8s.io/kube-openapi pkg/schemaconv does when it builds structured-merge-diff's schema.
/// </summary>
internal static class KubernetesSchema
{
    private const string ResourceName = "kubernetes-swagger.json.gz";
    private const string RefPrefix = "#/definitions/";

    private static readonly Lazy<FrozenDictionary<string, SchemaNode>> Roots = new(Load);

    /// <summary>The schema of a kind ("apps/v1" + "Deployment"), or null for kinds the document lacks.</summary>
    public static SchemaNode? For(ResourceType type) => Roots.Value.GetValueOrDefault(type.ApiVersion + "/" + type.Kind);

    /// <summary>
    /// Key fields the server defaults before it compares keys: a port without protocol is keyed as TCP
    /// (the ContainerPort/ServicePort default), so an applied port matches the stored, defaulted one.
    /// </summary>
    public static string? KeyDefault(string key) => key == "protocol" ? "TCP" : null;

    private static FrozenDictionary<string, SchemaNode> Load()
    {
        using var stream = typeof(KubernetesSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var document = JsonDocument.Parse(gzip);
        var definitions = document.RootElement.GetProperty("definitions");
        var nodes = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        foreach (var definition in definitions.EnumerateObject())
        {
            nodes[definition.Name] = new SchemaNode();
        }

        var roots = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
        foreach (var definition in definitions.EnumerateObject())
        {
            Fill(nodes[definition.Name], definition.Value, nodes);
            if (definition.Value.TryGetProperty("x-kubernetes-group-version-kind", out var gvks))
            {
                foreach (var gvk in gvks.EnumerateArray())
                {
                    var group = gvk.GetProperty("group").GetString();
                    var version = gvk.GetProperty("version").GetString();
                    var apiVersion = string.IsNullOrEmpty(group) ? version : $"{group}/{version}";
                    roots.TryAdd(apiVersion + "/" + gvk.GetProperty("kind").GetString(), nodes[definition.Name]);
                }
            }
        }

        return roots.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static SchemaNode Resolve(JsonElement schema, Dictionary<string, SchemaNode> nodes)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return nodes[reference.GetString()![RefPrefix.Length..]];
        }

        var node = new SchemaNode();
        Fill(node, schema, nodes);
        return node;
    }

    private static void Fill(SchemaNode node, JsonElement schema, Dictionary<string, SchemaNode> nodes)
    {
        if (schema.TryGetProperty("properties", out var properties))
        {
            node.Fields = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
            foreach (var property in properties.EnumerateObject())
            {
                node.Fields[property.Name] = Resolve(property.Value, nodes);
            }
        }

        if (schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            node.Values = Resolve(values, nodes);
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            node.Items = Resolve(items, nodes);
            (node.List, node.Keys) = ListType(schema);
        }
    }

    private static (ListKind, IReadOnlyList<string>) ListType(JsonElement schema)
    {
        if (schema.TryGetProperty("x-kubernetes-list-type", out var listType))
        {
            return listType.GetString() switch
            {
                "map" when schema.TryGetProperty("x-kubernetes-list-map-keys", out var keys) =>
                    (ListKind.Map, keys.EnumerateArray().Select(k => k.GetString()!).ToArray()),
                "set" => (ListKind.Set, []),
                _ => (ListKind.Atomic, []),
            };
        }

        // No list type: the patch strategy decides (schemaconv's fallback for older annotations).
        if (schema.TryGetProperty("x-kubernetes-patch-strategy", out var strategy) && strategy.GetString()!.Split(',').Contains("merge"))
        {
            return schema.TryGetProperty("x-kubernetes-patch-merge-key", out var mergeKey)
                ? (ListKind.Map, [mergeKey.GetString()!])
                : (ListKind.Set, []);
        }

        return (ListKind.Atomic, []);
    }
}
