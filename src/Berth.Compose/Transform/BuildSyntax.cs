using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary><c>services.*.build</c>: a string is the context; in the mapping, list forms of args, labels, additional contexts, extra hosts and secrets are converted.</summary>
internal static class BuildSyntax
{
    public static ComposeNode Canonicalize(ComposeNode node, string path, SyntaxContext context)
    {
        switch (node)
        {
            case ScalarNode { Kind: not ScalarKind.Null } text:
                return SyntaxNodes.Mapping(text.Location, text.Tag, SyntaxNodes.Entry("context", SyntaxNodes.AsStringScalar(text).WithoutTag()));
            case MappingNode build:
                return SyntaxNodes.MapValues(build, e => e.Name switch
                {
                    // Build args without a value come from the environment, like environment entries.
                    "args" => KeyValueSyntax.Variables(e.Value, $"{path}.args", context),
                    "labels" => KeyValueSyntax.Strings(e.Value, $"{path}.labels", context),
                    "additional_contexts" => KeyValueSyntax.Strings(e.Value, $"{path}.additional_contexts", context),
                    "extra_hosts" => ExtraHostsSyntax.Canonicalize(e.Value, $"{path}.extra_hosts", context),
                    "secrets" => ResourceReferenceSyntax.FileMounts(e.Value),
                    "ulimits" => UlimitSyntax.Canonicalize(e.Value),
                    "tags" or "cache_from" or "cache_to" or "platforms" => SyntaxNodes.StringItems(e.Value),
                    _ => e.Value,
                });
            default:
                return node;
        }
    }
}
