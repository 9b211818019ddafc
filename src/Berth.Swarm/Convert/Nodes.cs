using System.Globalization;
using Berth.Compose.Yaml;

namespace Berth.Swarm.Convert;

/// <summary>Typed reads of the canonical tree; the loader has validated types, so these only pick values out.</summary>
internal static class Nodes
{
    public static string? Str(this MappingNode node, string key)
        => node[key] is ScalarNode { IsNull: false } s ? s.AsString() : null;

    public static MappingNode? Map(this MappingNode node, string key) => node[key] as MappingNode;

    public static SequenceNode? Seq(this MappingNode node, string key) => node[key] as SequenceNode;

    public static bool? Bool(this MappingNode node, string key)
        => node[key] is ScalarNode { IsNull: false } s && bool.TryParse(s.AsString(), out var b) ? b : null;

    public static long? Int(this MappingNode node, string key)
        => node[key] is ScalarNode { IsNull: false } s && s.TryGetInt64(out var v) ? v : null;

    public static double? Double(this MappingNode node, string key)
        => node[key] is ScalarNode { IsNull: false } s
           && double.TryParse(s.AsString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>A list of strings; null when absent.</summary>
    public static List<string>? Strings(this MappingNode node, string key)
        => node.Seq(key) is { } seq ? [.. seq.Items.OfType<ScalarNode>().Select(s => s.AsString())] : null;

    /// <summary>A string map (labels, options); null when absent. Null values become empty strings.</summary>
    public static Dictionary<string, string>? StringMap(this MappingNode node, string key)
        => node.Map(key) is { } map
            ? map.Entries.ToDictionary(e => e.Name, e => e.Value is ScalarNode s ? s.AsString() : string.Empty, StringComparer.Ordinal)
            : null;

    public static TimeSpan? Duration(this MappingNode node, string key)
        => node.Str(key) is { } text && GoDuration.TryParse(text, out var value) ? value : null;
}
