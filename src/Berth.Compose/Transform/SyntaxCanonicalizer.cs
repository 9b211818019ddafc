using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Rewrites one file's short syntaxes into the long ones (ports, volumes, environment, labels, depends_on,
/// secrets/configs, networks, build, env_file, ulimits, extra_hosts …) so that files can be merged by key.
/// Pure syntax: no defaults beyond what a short form implies, no file access. See docs/design/canonical-form.md.
/// </summary>
/// <remarks>
/// Unchanged subtrees are returned as the same objects, node locations and merge tags (<c>!reset</c>,
/// <c>!override</c>) are kept, and keys without a short syntax pass through untouched.
/// </remarks>
public static class SyntaxCanonicalizer
{
    public static MappingNode Canonicalize(MappingNode document, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var context = new SyntaxContext(diagnostics);
        return SyntaxNodes.MapValues(document, e => e.Name switch
        {
            "services" => ServiceSyntax.CanonicalizeAll(e.Value, context),
            "networks" or "volumes" or "secrets" or "configs" => TopLevelResourceSyntax.Canonicalize(e.Value, e.Name, context),
            _ => e.Value,
        });
    }
}
