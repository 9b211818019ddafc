using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// <c>depends_on</c>: a list of service names becomes a mapping, and every entry gets the condition and required
/// flag a bare name implies (<c>service_started</c>, <c>true</c>), so short and long entries merge alike.
/// </summary>
internal static class DependsOnSyntax
{
    public static ComposeNode Canonicalize(ComposeNode node)
    {
        switch (node)
        {
            case SequenceNode list when list.Items.All(i => i is ScalarNode { Kind: not ScalarKind.Null }):
                var entries = list.Items
                    .Cast<ScalarNode>()
                    .DistinctBy(s => s.AsString(), StringComparer.Ordinal)
                    .Select(s => new MappingEntry(ScalarNode.String(s.AsString(), s.Location), Defaults(null, s)));
                return new MappingNode([.. entries], list.Location, list.Tag);
            case MappingNode mapping:
                return SyntaxNodes.MapValues(mapping, e => e.Value switch
                {
                    MappingNode condition => Defaults(condition, condition),
                    ScalarNode { Kind: ScalarKind.Null } empty => Defaults(null, empty),
                    _ => e.Value,
                });
            default:
                return node;
        }
    }

    private static MappingNode Defaults(MappingNode? given, ComposeNode at)
    {
        var result = given ?? new MappingNode([], at.Location);
        result = SyntaxNodes.WithDefault(result, "condition", () => ScalarNode.String("service_started", at.Location));
        return SyntaxNodes.WithDefault(result, "required", () => ScalarNode.Bool(true, at.Location));
    }
}
