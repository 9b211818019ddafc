using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Turns the merged document into the canonical project: env_file loaded into environment, key-only
/// variables resolved, durations and byte sizes parsed, implied defaults made explicit (default network …),
/// top-level resources given their names.
/// </summary>
public static class ProjectNormalizer
{
    public static MappingNode Normalize(MappingNode document, NormalizeContext context, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the transform work package.
        _ = context;
        _ = diagnostics;
        return document;
    }
}
