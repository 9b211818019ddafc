using System.Collections.Immutable;
using Berth.Compose.Yaml;

namespace Berth.Compose.Loading;

/// <summary>What the user asked for: the same inputs <c>docker compose config</c> takes.</summary>
public sealed record LoadOptions
{
    /// <summary>Compose files in order (<c>-c</c>/<c>-f</c>); empty means COMPOSE_FILE or default discovery.</summary>
    public ImmutableArray<string> Files { get; init; } = [];

    /// <summary>Project name from <c>-p</c>; null means COMPOSE_PROJECT_NAME, the <c>name</c> key, or the folder.</summary>
    public string? ProjectName { get; init; }

    /// <summary>The project folder; null means the folder of the first Compose file.</summary>
    public string? ProjectDirectory { get; init; }

    /// <summary>Where to look for default files when <see cref="Files"/> is empty.</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary><c>--env-file</c> files; when empty, the project's <c>.env</c> is used if present.</summary>
    public ImmutableArray<string> EnvFiles { get; init; } = [];

    /// <summary><c>--profile</c> values; when empty, COMPOSE_PROFILES.</summary>
    public ImmutableArray<string> Profiles { get; init; } = [];

    public bool Interpolate { get; init; } = true;

    /// <summary>False skips cross-references checks (undefined services/networks/volumes, cycles, conflicts), like --no-consistency.</summary>
    public bool CheckConsistency { get; init; } = true;

    /// <summary>The process environment (a snapshot, so loading is reproducible in tests).</summary>
    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    public LoadLimits Limits { get; init; } = LoadLimits.Default;

    /// <summary>Where the file named <c>-</c> is read from; null means the process's standard input.</summary>
    public TextReader? StandardInput { get; init; }

    /// <summary>Takes a snapshot of the current process environment.</summary>
    public static ImmutableDictionary<string, string> ProcessEnvironment()
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            builder[(string)e.Key] = (string?)e.Value ?? string.Empty;
        }

        return builder.ToImmutable();
    }
}
