using System.Collections.Immutable;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Interpolation;

/// <summary>Builds the variables used for interpolation: .env (or --env-file files), overridden by the process environment.</summary>
public static class ProjectEnvironment
{
    /// <summary>The env file read from the project directory when no --env-file is given.</summary>
    public const string DefaultEnvFileName = ".env";

    /// <summary>
    /// Reads <paramref name="envFiles"/> in order (later files override earlier ones), or
    /// <c>{projectDirectory}/.env</c> when none is given and it exists; the process environment wins over both.
    /// </summary>
    /// <remarks>
    /// As in docker compose, a value in a file may refer to the process environment and to values set by earlier
    /// files (and earlier lines of the same file); a missing --env-file is an error, a missing .env is not.
    /// </remarks>
    public static ImmutableDictionary<string, string> Build(
        ImmutableDictionary<string, string> processEnvironment,
        IReadOnlyList<string> envFiles,
        string projectDirectory,
        DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(processEnvironment);
        ArgumentNullException.ThrowIfNull(envFiles);
        ArgumentNullException.ThrowIfNull(projectDirectory);
        ArgumentNullException.ThrowIfNull(diagnostics);

        IReadOnlyList<string> files = envFiles;
        if (files.Count == 0)
        {
            var dotEnv = Path.Combine(projectDirectory, DefaultEnvFileName);
            if (!File.Exists(dotEnv))
            {
                return processEnvironment;
            }

            files = [dotEnv];
        }

        // A reference resolves to the value the name has at that point: the process environment (which wins in
        // the end anyway), else the file's own earlier lines, else earlier files.
        var fromFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        string? FromProcess(string name) => processEnvironment.TryGetValue(name, out var value) ? value : null;
        string? FromEarlierFiles(string name) => fromFiles.TryGetValue(name, out var value) ? value : null;

        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                var what = Directory.Exists(file) ? "is a directory, not an env file" : "not found";
                diagnostics.Error(DiagnosticCodes.FileNotFound, $"env file {file} {what}", SourceLocation.None, hint: "check the path given with --env-file");
                continue;
            }

            foreach (var entry in DotEnvParser.ReadFile(file, FromProcess, FromEarlierFiles, diagnostics, interpolate: true))
            {
                fromFiles[entry.Key] = entry.Value;
            }
        }

        if (fromFiles.Count == 0)
        {
            return processEnvironment;
        }

        var result = processEnvironment.ToBuilder();
        foreach (var (key, value) in fromFiles)
        {
            result.TryAdd(key, value);
        }

        return result.ToImmutable();
    }
}
