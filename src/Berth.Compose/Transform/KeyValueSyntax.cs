using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Keys that are "a mapping, or a list of <c>KEY=VALUE</c> strings" (environment, labels, annotations, sysctls,
/// build args, driver options …) become a mapping of strings, so that files merge key by key.
/// </summary>
internal static class KeyValueSyntax
{
    /// <summary>
    /// How an entry without a value is kept: variables stay null ("take it from the environment"); labels and
    /// options become the empty string, as compose-go's string maps do.
    /// </summary>
    internal enum Missing
    {
        Null,
        Empty,
    }

    public static ComposeNode Variables(ComposeNode node, string path, SyntaxContext context) => ToMapping(node, path, context, Missing.Null);

    public static ComposeNode Strings(ComposeNode node, string path, SyntaxContext context) => ToMapping(node, path, context, Missing.Empty);

    public static ComposeNode ToMapping(ComposeNode node, string path, SyntaxContext context, Missing missing)
    {
        switch (node)
        {
            case MappingNode mapping:
                return SyntaxNodes.MapValues(mapping, e => e.Value switch
                {
                    ScalarNode { Kind: ScalarKind.Null } s when missing == Missing.Empty => SyntaxNodes.AsNonNullString(s),
                    ScalarNode s => SyntaxNodes.AsStringScalar(s),
                    _ => e.Value,
                });
            case SequenceNode list when list.Items.All(i => i is ScalarNode { Kind: not ScalarKind.Null }):
                return FromList(list, path, context, missing);
            default:
                // Other shapes are type errors the schema validator reports.
                return node;
        }
    }

    private static ComposeNode FromList(SequenceNode list, string path, SyntaxContext context, Missing missing)
    {
        var entries = ImmutableArray.CreateBuilder<MappingEntry>(list.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var valid = true;
        for (var i = 0; i < list.Count; i++)
        {
            var item = (ScalarNode)list[i];
            var text = item.AsString();
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? text : text[..equals];
            if (key.Length == 0 || (missing == Missing.Null && key.Length != key.TrimEnd().Length))
            {
                var problem = key.Length == 0 ? "has no name" : $"'{key}' is declared with a trailing space";
                context.Error(DiagnosticCodes.InvalidValue, $"entry '{text}' {problem}", item, $"{path}[{i}]", "write NAME=VALUE (no spaces around '='), or NAME alone to take the value from the environment");
                valid = false;
                continue;
            }

            ComposeNode value = equals >= 0
                ? ScalarNode.String(text[(equals + 1)..], item.Location)
                : missing == Missing.Null ? ScalarNode.Null(item.Location) : ScalarNode.String(string.Empty, item.Location);
            var entry = new MappingEntry(ScalarNode.String(key, item.Location), value);

            // A later entry for the same name wins, as with repeated --env flags.
            if (positions.TryGetValue(key, out var at))
            {
                entries[at] = entry;
            }
            else
            {
                positions[key] = entries.Count;
                entries.Add(entry);
            }
        }

        // On error the list is kept as written: nothing is dropped, and the loader stops on the error anyway.
        return valid ? new MappingNode(entries.ToImmutable(), list.Location, list.Tag) : list;
    }
}
