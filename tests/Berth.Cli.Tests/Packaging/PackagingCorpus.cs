using Berth.Testing;

namespace Berth.Cli.Tests.Packaging;

/// <summary>
/// The Compose files the Kustomize and Helm layouts are checked over: the example and every converter golden case
/// (tests/Berth.Kubernetes.Tests/testdata/golden), with the flags their options.txt asks for.
/// </summary>
internal static class PackagingCorpus
{
    public static string RepositoryRoot => Berth.Testing.RepositoryRoot.Path;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string> { "examples/voting-app" };
        foreach (var dir in Directory.EnumerateDirectories(GoldenRoot).Order(StringComparer.Ordinal))
        {
            data.Add("golden/" + Path.GetFileName(dir));
        }

        return data;
    }

    /// <summary>The compose file and the convert flags of a case.</summary>
    public static (string File, string[] Flags, string Namespace) Case(string name)
    {
        if (name == "examples/voting-app")
        {
            return (Path.Combine(RepositoryRoot, "examples", "voting-app", "compose.yaml"), ["--namespace", "vote"], "vote");
        }

        var dir = Path.Combine(GoldenRoot, name["golden/".Length..]);
        var flags = new List<string>();
        var ns = "default";
        foreach (var (key, value) in GoldenFiles.ReadOptions(dir))
        {
            if (key == "namespace")
            {
                ns = value;
            }

            flags.AddRange(key == "network-policies" ? (value == "true" ? ["--network-policies"] : []) : [$"--{key}", value]);
        }

        return (Path.Combine(dir, "compose.yaml"), [.. flags], ns);
    }

    /// <summary>Runs a tool with a deadline; a hung tool fails the test instead of stalling the run.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = ToolProcess.Run(file, args, environment: environment);
        return (result.ExitCode, result.Stdout, result.Stderr);
    }

    private static string GoldenRoot => Path.Combine(RepositoryRoot, "tests", "Berth.Kubernetes.Tests", "testdata", "golden");
}
