using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>A request to load an included project (one <c>include</c> entry).</summary>
/// <param name="Paths">Absolute paths of the included Compose files (merged in order).</param>
/// <param name="ProjectDirectory">Absolute project folder for the included files.</param>
/// <param name="EnvFiles">Absolute env files for the included project's interpolation.</param>
/// <param name="Location">Where the include entry is, for diagnostics.</param>
public sealed record IncludeRequest(ImmutableArray<string> Paths, string ProjectDirectory, ImmutableArray<string> EnvFiles, SourceLocation Location);

/// <summary>Applies top-level <c>include</c>: loads each included project and adds its resources, rejecting conflicts.</summary>
public static class IncludeResolver
{
    /// <summary>
    /// Removes <c>include</c> from <paramref name="document"/> and adds what the included projects define.
    /// <paramref name="loadProject"/> loads an included project to a merged, syntax-canonical document with
    /// absolute paths (null when it failed and reported why). A resource defined both here and in an included
    /// project is an error (BC204).
    /// </summary>
    public static MappingNode Resolve(MappingNode document, string file, string projectDirectory, Func<IncludeRequest, MappingNode?> loadProject, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the merge work package.
        _ = file;
        _ = projectDirectory;
        _ = loadProject;
        _ = diagnostics;
        return document.Without("include");
    }
}
