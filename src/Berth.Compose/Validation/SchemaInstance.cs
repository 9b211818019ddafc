using System.Globalization;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// A place in the validated document found by following a JSON pointer through the node tree: the node
/// (when it exists), the mapping key that leads to it, and the YAML path users know (<c>services.web.ports[0]</c>).
/// </summary>
internal readonly record struct SchemaInstance(ComposeNode? Node, ScalarNode? Key, ComposeNode NearestNode, string Path)
{
    public static SchemaInstance Find(ComposeNode document, IReadOnlyList<string> segments)
    {
        ComposeNode? current = document;
        ComposeNode nearest = document;
        ScalarNode? key = null;
        var path = new StringBuilder();
        foreach (var segment in segments)
        {
            switch (current)
            {
                case MappingNode map when map.TryGetEntry(segment, out var entry):
                    key = entry.Key;
                    current = entry.Value;
                    AppendKey(path, segment);
                    break;
                case SequenceNode seq when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < seq.Count:
                    key = null;
                    current = seq[index];
                    path.Append(CultureInfo.InvariantCulture, $"[{index}]");
                    break;
                default:
                    // The schema reported a place the tree does not have (should not happen); keep the path
                    // readable and point at the deepest node that does exist.
                    key = null;
                    current = null;
                    AppendKey(path, segment);
                    break;
            }

            if (current is not null)
            {
                nearest = current;
            }
        }

        return new SchemaInstance(current, key, nearest, path.ToString());
    }

    /// <summary>Where a diagnostic about this place points: the key for unknown keys, else the value.</summary>
    public SourceLocation Location(bool atKey) => atKey && Key is not null ? Key.Location : (Node ?? NearestNode).Location;

    /// <summary>Describes the value's type the way messages say it: "a string", "an integer", "a list".</summary>
    public string DescribeActual() => Node switch
    {
        MappingNode => "a mapping",
        SequenceNode => "a list",
        ScalarNode { Kind: ScalarKind.Null } => "null",
        ScalarNode { Kind: ScalarKind.Bool } => "a boolean",
        ScalarNode { Kind: ScalarKind.Int } => "an integer",
        ScalarNode { Kind: ScalarKind.Float } => "a number",
        ScalarNode => "a string",
        _ => "missing",
    };

    private static void AppendKey(StringBuilder path, string key)
    {
        // Keys that would make the dotted path ambiguous are quoted.
        var plain = key.Length > 0 && !key.AsSpan().ContainsAny(".[]\" '");
        if (plain)
        {
            if (path.Length > 0)
            {
                path.Append('.');
            }

            path.Append(key);
        }
        else
        {
            path.Append("[\"").Append(key.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"]");
        }
    }
}
