using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary><c>ulimits</c>: a single number sets both limits (<c>nproc: 65535</c> → <c>{soft: 65535, hard: 65535}</c>).</summary>
internal static class UlimitSyntax
{
    public static ComposeNode Canonicalize(ComposeNode node)
        => node is MappingNode mapping
            ? SyntaxNodes.MapValues(mapping, e => e.Value is ScalarNode { Kind: ScalarKind.Int or ScalarKind.String } limit && limit.TryGetInt64(out var value)
                ? SyntaxNodes.Mapping(
                    limit.Location,
                    limit.Tag,
                    SyntaxNodes.Entry("soft", ScalarNode.Int(value, limit.Location)),
                    SyntaxNodes.Entry("hard", ScalarNode.Int(value, limit.Location)))
                : e.Value)
            : node;
}
