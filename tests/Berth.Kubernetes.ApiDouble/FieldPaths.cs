using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// Field paths for managed fields, in structured-merge-diff's fieldpath form: segments <c>f:field</c>,
/// <c>k:{"name":"web"}</c> (an item of a list merged by key; the key fields sorted by name) and <c>v:"x"</c>
/// (a member of a set), joined with a separator no segment contains. Atomic lists, scalars and empty maps
/// are leaves; an item of a keyed list is owned itself (<c>"."</c> in fieldsV1) and through its fields.
/// </summary>
internal static class FieldPaths
{
    public const char Separator = '\u001f';

    private static readonly HashSet<string> ServerMetadata =
    [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
        "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
    ];

    /// <summary>Paths a manager would own in <paramref name="obj"/> (no identity, server metadata or status).</summary>
    public static HashSet<string> Collect(JsonObject obj, SchemaNode? schema)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" or "status" || value is null)
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                var metadataSchema = schema?.Field("metadata");
                foreach (var (metaKey, metaValue) in metadata)
                {
                    if (!ServerMetadata.Contains(metaKey) && metaValue is not null)
                    {
                        CollectInto(metaValue, Join("f:metadata", "f:" + metaKey), metadataSchema?.Field(metaKey), paths);
                    }
                }

                continue;
            }

            CollectInto(value, "f:" + key, schema?.Field(key), paths);
        }

        return paths;
    }

    private static void CollectInto(JsonNode node, string prefix, SchemaNode? schema, HashSet<string> paths)
    {
        switch (node)
        {
            case JsonObject map when map.Count > 0:
                foreach (var (key, value) in map)
                {
                    if (value is not null)
                    {
                        CollectInto(value, Join(prefix, "f:" + key), schema?.Field(key), paths);
                    }
                }

                return;
            case JsonArray list when list.Count > 0 && schema is { List: ListKind.Map, Items: not null }:
                foreach (var item in list.OfType<JsonObject>())
                {
                    var itemPath = Join(prefix, "k:" + KeyOf(item, schema.Keys));
                    paths.Add(itemPath);
                    CollectInto(item, itemPath, schema.Items, paths);
                }

                return;
            case JsonArray set when set.Count > 0 && schema is { List: ListKind.Set }:
                foreach (var member in set)
                {
                    paths.Add(Join(prefix, "v:" + (member?.ToJsonString() ?? "null")));
                }

                return;
            default:
                paths.Add(prefix);
                return;
        }
    }

    /// <summary>
    /// Items of keyed lists in <paramref name="obj"/> that share a key, in structured-merge-diff's words
    /// (<c>.spec.ports: duplicate entries for key [port=80,protocol="TCP"]</c>).
    /// </summary>
    public static List<string> Duplicates(JsonObject obj, SchemaNode? schema)
    {
        var errors = new List<string>();
        FindDuplicates(obj, "", schema, errors);
        return errors;
    }

    private static void FindDuplicates(JsonNode? node, string prefix, SchemaNode? schema, List<string> errors)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    FindDuplicates(value, Join(prefix, "f:" + key), schema?.Field(key), errors);
                }

                break;
            case JsonArray list when schema is { List: ListKind.Map, Items: not null }:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var item in list.OfType<JsonObject>())
                {
                    var key = "k:" + KeyOf(item, schema.Keys);
                    if (!seen.Add(key))
                    {
                        errors.Add($"{Display(prefix)}: duplicate entries for key {DisplaySegment(key)}");
                        continue;
                    }

                    FindDuplicates(item, Join(prefix, key), schema.Items, errors);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>The key of a list item as fieldsV1 writes it: the key fields, sorted by name, as a JSON object.</summary>
    public static string KeyOf(JsonObject item, IReadOnlyList<string> keys)
    {
        var key = new JsonObject();
        foreach (var name in keys.Order(StringComparer.Ordinal))
        {
            var value = item[name]?.DeepClone() ?? (KubernetesSchema.KeyDefault(name) is { } fallback ? JsonValue.Create(fallback) : null);
            if (value is not null)
            {
                key[name] = value;
            }
        }

        return key.ToJsonString();
    }

    public static string[] Segments(string path) => path.Split(Separator);

    public static string Join(string prefix, string segment) => prefix.Length == 0 ? segment : prefix + Separator + segment;

    /// <summary>True when the path names a list item (k:) or set member (v:), owned for its existence only.</summary>
    public static bool IsItem(string path)
    {
        var last = path.LastIndexOf(Separator) + 1;
        return path.AsSpan(last).StartsWith("k:", StringComparison.Ordinal) || path.AsSpan(last).StartsWith("v:", StringComparison.Ordinal);
    }

    /// <summary>The path as the real server prints it (structured-merge-diff Path.String: <c>.spec.ports[port=80,protocol="TCP"].name</c>).</summary>
    public static string Display(string path) =>
        path.Length == 0 ? "" : string.Concat(Segments(path).Select(DisplaySegment));

    private static string DisplaySegment(string segment)
    {
        var body = segment[2..];
        return segment[..2] switch
        {
            "k:" => "[" + string.Join(',', JsonNode.Parse(body)!.AsObject().Select(p => $"{p.Key}={p.Value?.ToJsonString() ?? "null"}")) + "]",
            "v:" => "[=" + body + "]",
            _ => "." + body,
        };
    }

    public static JsonNode? GetValue(JsonObject root, string path)
    {
        JsonNode? current = root;
        foreach (var segment in Segments(path))
        {
            current = Child(current, segment);
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    private static JsonNode? Child(JsonNode? node, string segment)
    {
        switch (segment[..2])
        {
            case "f:":
                return node is JsonObject map && map.TryGetPropertyValue(segment[2..], out var value) ? value : null;
            case "k:":
                var key = JsonNode.Parse(segment[2..])!.AsObject();
                return (node as JsonArray)?.OfType<JsonObject>().FirstOrDefault(item => Matches(item, key));
            default:
                return (node as JsonArray)?.FirstOrDefault(member => (member?.ToJsonString() ?? "null") == segment[2..]);
        }
    }

    private static bool Matches(JsonObject item, JsonObject key) =>
        key.All(k => JsonNode.DeepEquals(item[k.Key] ?? (KubernetesSchema.KeyDefault(k.Key) is { } fallback ? JsonValue.Create(fallback) : null), k.Value));

    /// <summary>
    /// Removes the field, item or set member, then parents (maps and lists) left empty unless
    /// <paramref name="keep"/> says a parent is owned; top-level fields stay.
    /// </summary>
    public static void Remove(JsonObject root, string path, Func<string, bool> keep)
    {
        var segments = Segments(path);
        var chain = new List<JsonNode> { root };
        JsonNode? current = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Child(current, segments[i]);
            if (current is null)
            {
                return;
            }

            chain.Add(current);
        }

        if (!RemoveChild(chain[^1], segments[^1]))
        {
            return;
        }

        for (var depth = segments.Length - 1; depth >= 2; depth--)
        {
            var empty = chain[depth] is JsonObject { Count: 0 } or JsonArray { Count: 0 };
            if (!empty || keep(string.Join(Separator, segments.Take(depth))))
            {
                break;
            }

            RemoveChild(chain[depth - 1], segments[depth - 1]);
        }
    }

    private static bool RemoveChild(JsonNode parent, string segment)
    {
        if (segment.StartsWith("f:", StringComparison.Ordinal))
        {
            return parent is JsonObject map && map.Remove(segment[2..]);
        }

        var child = Child(parent, segment);
        return child is not null && parent is JsonArray list && list.Remove(child);
    }

    /// <summary>The fieldsV1 form of a set of paths: nested maps keyed by segment, "." where an owned path has children.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var ordered = paths.Order(StringComparer.Ordinal).ToList();
        var owned = ordered.ToHashSet(StringComparer.Ordinal);
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in ordered)
        {
            for (var cut = path.IndexOf(Separator); cut > 0; cut = path.IndexOf(Separator, cut + 1))
            {
                parents.Add(path[..cut]);
            }
        }

        var root = new JsonObject();
        var nodes = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var path in ordered)
        {
            var node = root;
            var prefix = "";
            foreach (var segment in Segments(path))
            {
                prefix = Join(prefix, segment);
                if (!nodes.TryGetValue(prefix, out var child))
                {
                    child = new JsonObject();
                    if (owned.Contains(prefix) && parents.Contains(prefix))
                    {
                        child["."] = new JsonObject();
                    }

                    node[segment] = child;
                    nodes[prefix] = child;
                }

                node = child;
            }
        }

        return root;
    }
}
