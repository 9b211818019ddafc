using System.Diagnostics;

namespace Berth.Cli.Tests.Packaging;

/// <summary>
/// The Compose files the Kustomize and Helm layouts are checked over: the example and every converter golden case
/// (tests/Berth.Kubernetes.Tests/testdata/golden), with the flags their options.txt asks for.
/// </summary>
internal static class PackagingCorpus
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string RepositoryRoot => LazyRoot.Value;

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
        var options = Path.Combine(dir, "options.txt");
        foreach (var line in File.Exists(options) ? File.ReadAllLines(options) : [])
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            var (key, value) = (line[..eq].Trim(), line[(eq + 1)..].Trim());
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
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', start.ArgumentList)} did not finish within 120 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string GoldenRoot => Path.Combine(RepositoryRoot, "tests", "Berth.Kubernetes.Tests", "testdata", "golden");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Berth.slnx not found above " + AppContext.BaseDirectory);
    }
}
