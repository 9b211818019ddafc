using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary><c>env_file</c>: a path or a list of paths becomes a list of <c>{path, required: true}</c>; long entries get <c>required: true</c> when absent.</summary>
internal static class EnvFileSyntax
{
    public static ComposeNode Canonicalize(ComposeNode node)
    {
        var list = SyntaxNodes.StringOrList(node);
        return list is SequenceNode seq
            ? SyntaxNodes.MapItems(seq, (item, _) => item switch
            {
                ScalarNode { Kind: ScalarKind.String } path => SyntaxNodes.Mapping(
                    path.Location,
                    path.Tag,
                    SyntaxNodes.Entry("path", path.WithoutTag()),
                    SyntaxNodes.Entry("required", ScalarNode.Bool(true, path.Location))),
                MappingNode entry => SyntaxNodes.WithDefault(entry, "required", () => ScalarNode.Bool(true, entry.Location)),
                _ => item,
            })
            : list;
    }
}
