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

    public static IEnumerable<string> Strings(this MappingNode node, string key)
        => node.Seq(key)?.Items.OfType<ScalarNode>().Select(s => s.AsString()) ?? [];

    /// <summary>A mapping of strings (labels, sysctls ...) in key order, so output is stable.</summary>
    public static IEnumerable<KeyValuePair<string, string>> StringMap(this MappingNode node, string key)
        => (node.Map(key)?.Entries ?? [])
            .Select(e => KeyValuePair.Create(e.Name, e.Value is ScalarNode s ? s.AsString() : string.Empty))
            .OrderBy(p => p.Key, StringComparer.Ordinal);

    public static Compose.Diagnostics.SourceLocation LocationOf(this MappingNode node, string key)
        => node.TryGetEntry(key, out var entry) ? entry.Key.Location : node.Location;
}
