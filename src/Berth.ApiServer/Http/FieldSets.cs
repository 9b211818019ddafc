using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Http;

/// <summary>Which part of the object a request manages: the main resource (all but status) or the status subresource.</summary>
internal enum FieldScope
{
    Main,
    Status,
}

/// <summary>Leaf values by field path, and how two objects differ (structured-merge-diff's typed.Comparison).</summary>
internal sealed record FieldComparison(ImmutableHashSet<string> Added, ImmutableHashSet<string> Modified, ImmutableHashSet<string> Removed)
{
    public bool Changed(string path) => Added.Contains(path) || Modified.Contains(path);
}

/// <summary>
/// Field paths of a stack's wire JSON, as structured-merge-diff's fieldpath sets for this schema. The Stack schema
/// declares no x-kubernetes-list-type, so every list is atomic (the structural-schema default,
/// AX/pkg/apiserver/schema): a path is a chain of field names, and scalars, lists and empty maps are leaves.
/// </summary>
internal static class FieldSets
{
    private const char Separator = '\u001f';

    // Fields the field manager never tracks (AM/pkg/util/managedfields/internal/stripmeta.go), and the owner the
    // server writes itself.
    private static readonly ImmutableHashSet<string> StrippedMetadata =
    [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
        "deletionTimestamp", "deletionGracePeriodSeconds",
    ];

    /// <summary>Every leaf of <paramref name="wire"/> that a manager can own in <paramref name="scope"/>, with its value.</summary>
    public static Dictionary<string, JsonNode?> Leaves(JsonObject? wire, FieldScope scope)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (wire is null)
        {
            return leaves;
        }

        foreach (var (key, value) in wire)
        {
            // The main resource resets status and the status subresource everything else
            // (AX/pkg/registry/customresource/strategy.go GetResetFields).
            if (key is "apiVersion" or "kind" || (key == "status") != (scope == FieldScope.Status))
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (metaKey, metaValue) in metadata)
                {
                    if (!StrippedMetadata.Contains(metaKey))
                    {
                        Collect(metaValue, "metadata" + Separator + metaKey, leaves);
                    }
                }

                continue;
            }

            Collect(value, key, leaves);
        }

        return leaves;
    }

    private static void Collect(JsonNode? node, string path, Dictionary<string, JsonNode?> leaves)
    {
        if (node is JsonObject map && map.Count > 0)
        {
            foreach (var (key, value) in map)
            {
                Collect(value, path + Separator + key, leaves);
            }
        }
        else
        {
            leaves[path] = node;
        }
    }

    public static ImmutableHashSet<string> Paths(JsonObject? wire, FieldScope scope) => [.. Leaves(wire, scope).Keys];

    public static FieldComparison Compare(JsonObject? live, JsonObject? updated, FieldScope scope)
    {
        var before = Leaves(live, scope);
        var after = Leaves(updated, scope);
        return new FieldComparison(
            [.. after.Keys.Where(k => !before.ContainsKey(k))],
            [.. after.Where(e => before.TryGetValue(e.Key, out var old) && !JsonNode.DeepEquals(old, e.Value)).Select(e => e.Key)],
            [.. before.Keys.Where(k => !after.ContainsKey(k))]);
    }

    /// <summary>fieldpath.Path's String(): <c>.spec.services</c>.</summary>
    public static string Display(string path) => "." + path.Replace(Separator, '.');

    /// <summary>Removes the field at <paramref name="path"/> (pruning an applier's dropped field); absent is fine.</summary>
    public static void Remove(JsonObject wire, string path)
    {
        var segments = path.Split(Separator);
        JsonObject? parent = wire;
        foreach (var segment in segments[..^1])
        {
            parent = parent[segment] as JsonObject;
            if (parent is null)
            {
                return;
            }
        }

        parent.Remove(segments[^1]);
    }

    /// <summary>The FieldsV1 form (AM/pkg/apis/meta/v1/types.go FieldsV1): <c>{"f:spec":{"f:services":{}}}</c>.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in path.Split(Separator))
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject child)
                {
                    child = [];
                    node[key] = child;
                }

                node = child;
            }

            // A member that also has children (owned at two depths over time) says so with ".".
            node["."] = new JsonObject();
        }

        Simplify(root);
        return root;
    }

    // A leaf is written as {} rather than {".":{}}.
    private static void Simplify(JsonObject node)
    {
        foreach (var (key, child) in node.ToList())
        {
            if (child is JsonObject childObject && key != ".")
            {
                Simplify(childObject);
                if (childObject.Count == 1 && childObject.ContainsKey("."))
                {
                    childObject.Remove(".");
                }
            }
        }
    }

    /// <summary>Reads FieldsV1; segments this schema cannot have (k:, v:, i:) are skipped.</summary>
    public static ImmutableHashSet<string> FromFieldsV1(JsonObject? fields)
    {
        var paths = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        if (fields is not null)
        {
            Read(fields, null, paths);
        }

        return paths.ToImmutable();
    }

    private static void Read(JsonObject node, string? prefix, ImmutableHashSet<string>.Builder paths)
    {
        if (prefix is not null && (node.Count == 0 || node.ContainsKey(".")))
        {
            paths.Add(prefix);
        }

        foreach (var (key, child) in node)
        {
            if (key.StartsWith("f:", StringComparison.Ordinal) && child is JsonObject childObject)
            {
                Read(childObject, prefix is null ? key[2..] : prefix + Separator + key[2..], paths);
            }
        }
    }
}
