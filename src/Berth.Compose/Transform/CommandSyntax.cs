using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// <c>command</c>, <c>entrypoint</c> (and hook commands): a string is split into words like a shell would;
/// <c>healthcheck.test</c>: a string runs through the container's shell (<c>["CMD-SHELL", s]</c>).
/// Lists keep their items, as strings. Null and <c>[]</c> keep their meaning (image default vs. none).
/// </summary>
internal static class CommandSyntax
{
    public static ComposeNode ShellCommand(ComposeNode node, string path, SyntaxContext context)
    {
        if (node is not ScalarNode { Kind: not ScalarKind.Null } line)
        {
            return SyntaxNodes.StringItems(node);
        }

        if (!ShellWords.TrySplit(line.AsString(), out var words, out var error))
        {
            context.Error(
                DiagnosticCodes.InvalidValue,
                $"cannot split the command into words: {error}",
                node,
                path,
                "close the quote, or write the command as a list: [\"sh\", \"-c\", \"...\"]");
            return node;
        }

        return new SequenceNode([.. words.Select(w => (ComposeNode)ScalarNode.String(w, line.Location))], line.Location, line.Tag);
    }

    public static ComposeNode HealthcheckTest(ComposeNode node)
        => node is ScalarNode { Kind: not ScalarKind.Null } line
            ? new SequenceNode([ScalarNode.String("CMD-SHELL", line.Location), SyntaxNodes.AsStringScalar(line).WithoutTag()], line.Location, line.Tag)
            : SyntaxNodes.StringItems(node);
}
