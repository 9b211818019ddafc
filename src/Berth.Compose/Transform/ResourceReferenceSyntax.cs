using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// A service's references to top-level resources: <c>networks</c> (list → mapping name → null) and
/// <c>secrets</c>/<c>configs</c>/<c>build.secrets</c> (a name → <c>{source: name}</c>).
/// </summary>
internal static class ResourceReferenceSyntax
{
    public static ComposeNode Networks(ComposeNode node, string path, SyntaxContext context)
    {
        switch (node)
        {
            case SequenceNode list when list.Items.All(i => i is ScalarNode { Kind: not ScalarKind.Null }):
                var entries = list.Items
                    .Cast<ScalarNode>()
                    .DistinctBy(s => s.AsString(), StringComparer.Ordinal)
                    .Select(s => new MappingEntry(ScalarNode.String(s.AsString(), s.Location), ScalarNode.Null(s.Location)));
                return new MappingNode([.. entries], list.Location, list.Tag);
            case MappingNode mapping:
                return SyntaxNodes.MapValues(mapping, e => e.Value is MappingNode attachment
                    ? SyntaxNodes.Update(attachment, "driver_opts", v => KeyValueSyntax.Strings(v, $"{path}.{e.Name}.driver_opts", context))
                    : e.Value);
            default:
                return node;
        }
    }

    public static ComposeNode FileMounts(ComposeNode node)
        => node is SequenceNode list
            ? SyntaxNodes.MapItems(list, (item, _) => item is ScalarNode { Kind: not ScalarKind.Null } name
                ? SyntaxNodes.Mapping(name.Location, name.Tag, SyntaxNodes.Entry("source", ScalarNode.String(name.AsString(), name.Location)))
                : item)
            : node;
}
