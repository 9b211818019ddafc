using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Keeps services without profiles and services whose profiles include an active one.</summary>
public static class ProfileFilter
{
    public static MappingNode Apply(MappingNode document, ImmutableArray<string> activeProfiles, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the merge work package.
        _ = activeProfiles;
        _ = diagnostics;
        return document;
    }
}
