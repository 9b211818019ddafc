using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// Field paths for managed fields: a path is the map keys from the root to a leaf, joined with a separator
/// no key contains. Lists and empty maps are leaves (lists are atomic in this double; see README).
/// </summary>
internal static class FieldPaths
{
    public const char Separator = '\u001f';

    private static readonly HashSet<string> ServerMetadata =
    [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
        "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
    ];

    /// <summary>Leaf paths a manager would own in <paramref name="obj"/> (no identity, server metadata or status).</summary>
    public static HashSet<string> Collect(JsonObject obj)
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
                foreach (var (metaKey, metaValue) in metadata)
                {
                    if (!ServerMetadata.Contains(metaKey) && metaValue is not null)
                    {
                        CollectInto(metaValue, "metadata" + Separator + metaKey, paths);
                    }
                }

                continue;
            }

            CollectInto(value, key, paths);
        }

        return paths;
    }

    private static void CollectInto(JsonNode node, string prefix, HashSet<string> paths)
    {
        if (node is JsonObject map && map.Count > 0)
        {
            foreach (var (key, value) in map)
            {
                if (value is not null)
                {
                    CollectInto(value, prefix + Separator + key, paths);
                }
            }

            return;
        }

        paths.Add(prefix);
    }

    public static string[] Segments(string path) => path.Split(Separator);

    /// <summary>The path as the real server prints it in conflict messages (".spec.replicas").</summary>
    public static string Display(string path) => "." + path.Replace(Separator, '.');

    public static JsonNode? GetValue(JsonObject root, string path)
    {
        JsonNode? current = root;
        foreach (var segment in Segments(path))
        {
            if (current is not JsonObject map || !map.TryGetPropertyValue(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    public static bool Exists(JsonObject root, string path)
    {
        JsonNode? current = root;
        foreach (var segment in Segments(path))
        {
            if (current is not JsonObject map || !map.TryGetPropertyValue(segment, out current))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Removes the field, then parents left empty unless <paramref name="keep"/> says a parent is owned.</summary>
    public static void Remove(JsonObject root, string path, Func<string, bool> keep)
    {
        var segments = Segments(path);
        var chain = new List<JsonObject> { root };
        JsonNode? current = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (current is not JsonObject map || !map.TryGetPropertyValue(segments[i], out current) || current is not JsonObject)
            {
                return;
            }

            chain.Add((JsonObject)current);
        }

        chain[^1].Remove(segments[^1]);
        for (var depth = segments.Length - 1; depth >= 2; depth--)
        {
            if (chain[depth].Count > 0)
            {
                break;
            }

            var parentPath = string.Join(Separator, segments.Take(depth));
            if (keep(parentPath))
            {
                break;
            }

            chain[depth - 1].Remove(segments[depth - 1]);
        }
    }

    /// <summary>The fieldsV1 form of a set of paths: nested "f:key" maps ending in {}.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in Segments(path))
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[key] = child;
                }

                node = child;
            }
        }

        return root;
    }
}
