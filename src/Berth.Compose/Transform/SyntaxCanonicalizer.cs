using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Rewrites one file's short syntaxes into the long ones (ports, volumes, environment, labels, depends_on,
/// secrets/configs, networks, build, env_file, ulimits, extra_hosts …) so that files can be merged by key.
/// Pure syntax: no defaults, no file access.
/// </summary>
public static class SyntaxCanonicalizer
{
    public static MappingNode Canonicalize(MappingNode document, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the transform work package.
        _ = diagnostics;
        return document;
    }
}
