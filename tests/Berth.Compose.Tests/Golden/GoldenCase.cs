using System.Collections.Immutable;
using Berth.Compose.Loading;

namespace Berth.Compose.Tests.Golden;

/// <summary>
/// One folder under testdata/golden: the input files, an optional <c>args</c> file (berth config flags),
/// an optional <c>env</c> file (the process environment, KEY=VALUE per line), and the expected result:
/// <c>expected.yaml</c> for a valid project or <c>expected-errors.txt</c> for an invalid one.
/// </summary>
internal sealed record GoldenCase(string Name, string Directory)
{
    public const string ProjectPlaceholder = "/__PROJECT__";
    public const string HomePlaceholder = "/__HOME__";

    public LoadOptions Options()
    {
        var files = ImmutableArray.CreateBuilder<string>();
        var envFiles = ImmutableArray.CreateBuilder<string>();
        var profiles = ImmutableArray.CreateBuilder<string>();
        string? projectName = null;
        var interpolate = true;
        var argsFile = Path.Combine(Directory, "args");
        var tokens = File.Exists(argsFile) ? File.ReadAllText(argsFile).Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries) : [];
        for (var i = 0; i < tokens.Length; i++)
        {
            switch (tokens[i])
            {
                case "-c" or "-f":
                    files.Add(Path.Combine(Directory, tokens[++i]));
                    break;
                case "--env-file":
                    envFiles.Add(Path.Combine(Directory, tokens[++i]));
                    break;
                case "--profile":
                    profiles.Add(tokens[++i]);
                    break;
                case "-p":
                    projectName = tokens[++i];
                    break;
                case "--no-interpolate":
                    interpolate = false;
                    break;
                default:
                    throw new InvalidOperationException($"{Name}/args: unknown token {tokens[i]}");
            }
        }

        var environment = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        environment["HOME"] = HomePlaceholder;
        var envFile = Path.Combine(Directory, "env");
        if (File.Exists(envFile))
        {
            foreach (var line in File.ReadAllLines(envFile).Where(l => l.Contains('=', StringComparison.Ordinal)))
            {
                var eq = line.IndexOf('=', StringComparison.Ordinal);
                environment[line[..eq]] = line[(eq + 1)..];
            }
        }

        return new LoadOptions
        {
            Files = files.Count == 0 ? [] : files.ToImmutable(),
            WorkingDirectory = Directory,
            EnvFiles = envFiles.ToImmutable(),
            Profiles = profiles.ToImmutable(),
            ProjectName = projectName,
            Interpolate = interpolate,
            Environment = environment.ToImmutable(),
        };
    }

    public override string ToString() => Name;
}
