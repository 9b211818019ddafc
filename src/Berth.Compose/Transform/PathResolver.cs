using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>Makes the relative paths of one syntax-canonical document absolute against a base folder (and expands ~).</summary>
public static class PathResolver
{
    public static MappingNode Resolve(MappingNode document, string baseDirectory, string? homeDirectory, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the transform work package.
        _ = baseDirectory;
        _ = homeDirectory;
        _ = diagnostics;
        return document;
    }
}
