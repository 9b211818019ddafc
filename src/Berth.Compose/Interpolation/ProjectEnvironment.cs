using System.Collections.Immutable;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Interpolation;

/// <summary>Builds the variables used for interpolation: .env (or --env-file files), overridden by the process environment.</summary>
public static class ProjectEnvironment
{
    /// <summary>
    /// Reads <paramref name="envFiles"/> in order (later files override earlier ones), or
    /// <c>{projectDirectory}/.env</c> when none is given and it exists; the process environment wins over both.
    /// </summary>
    public static ImmutableDictionary<string, string> Build(
        ImmutableDictionary<string, string> processEnvironment,
        IReadOnlyList<string> envFiles,
        string projectDirectory,
        DiagnosticBag diagnostics)
    {
        // STUB: implemented in the interpolation work package.
        _ = envFiles;
        _ = projectDirectory;
        _ = diagnostics;
        return processEnvironment;
    }
}
