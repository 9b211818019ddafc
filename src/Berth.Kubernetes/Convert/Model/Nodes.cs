using System.Globalization;
using Berth.Compose.Yaml;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>Typed reads of the canonical Compose tree (the loader has already normalised shapes and units).</summary>
internal static class Nodes
{
    public static MappingNode? Map(this MappingNode node, string key) => node[key] as MappingNode;

    public static SequenceNode? Seq(this MappingNode node, string key) => node[key] as SequenceNode;

    public static string? Str(this MappingNode node, string key)
        => node[key] is ScalarNode { IsNull: false } s ? s.AsString() : null;

    public static bool Bool(this MappingNode node, string key)
        => node[key] is ScalarNode s && string.Equals(s.AsString(), "true", StringComparison.OrdinalIgnoreCase);

    public static long? Int(this MappingNode node, string key)
        => node[key] is ScalarNode s && s.TryGetInt64(out var value) ? value : null;

    public static double? Number(this MappingNode node, string key)
        => node[key] is ScalarNode { IsNull: false } s
           && double.TryParse(s.AsString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    // These two return lists, not LINQ chains: callers chain Select on them, and Select over a LINQ iterator is a
    // generic virtual call that Native AOT resolves at run time, a cost every convert paid at start-up.
    public static List<string> Strings(this MappingNode node, string key)
    {
        var strings = new List<string>();
        foreach (var item in node.Seq(key)?.Items ?? [])
        {
            if (item is ScalarNode scalar)
            {
                strings.Add(scalar.AsString());
            }
        }

        return strings;
    }

    /// <summary>A mapping of strings (labels, sysctls ...) in key order, so output is stable.</summary>
    public static List<KeyValuePair<string, string>> StringMap(this MappingNode node, string key)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var entry in node.Map(key)?.Entries ?? [])
        {
            pairs.Add(KeyValuePair.Create(entry.Name, entry.Value is ScalarNode s ? s.AsString() : string.Empty));
        }

        // A mapping's keys are unique, so this unstable sort gives the order OrderBy gave.
        pairs.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return pairs;
    }

    public static Compose.Diagnostics.SourceLocation LocationOf(this MappingNode node, string key)
        => node.TryGetEntry(key, out var entry) ? entry.Key.Location : node.Location;
}
