using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Berth.Compose.Tests.Support;

/// <summary>
/// A clone of Berth runs its tests and benchmarks alone: the data they read is inside the repository (testdata/),
/// and no tracked file names a folder outside it or a path of one particular machine.
/// </summary>
public sealed partial class StandaloneRepositoryTests
{
    /// <summary>
    /// Tracked files allowed to contain one of the patterns, each with the pattern and why. Keep this short: a path
    /// outside the repository belongs in testdata/ (data) or nowhere (docs, scripts).
    /// </summary>
    private static readonly (string File, string Pattern, string Why)[] _allowed =
    [
        ("src/Berth.Kubernetes/Access/KubernetesCluster.cs", MachineRoot("root"), "an example kubeconfig location in a doc comment"),
    ];

    // Built from parts so this file does not match itself.
    private static readonly string[] _patterns = [".." + "/shared", MachineRoot("work"), MachineRoot("root")];

    [Fact]
    public void TrackedFiles_NameNoPathOutsideTheRepository()
    {
        var hits = new List<string>();
        foreach (var file in TrackedFiles())
        {
            var bytes = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, file));
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                continue; // binary (swagger.json.gz, a tar fixture): not text that names paths
            }

            var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var pattern in _patterns)
                {
                    if (Matches(lines[i], pattern) && !_allowed.Any(a => a.File == file && a.Pattern == pattern))
                    {
                        hits.Add($"{file}:{i + 1}: '{pattern}' in: {lines[i].Trim()}");
                    }
                }
            }
        }

        Assert.True(hits.Count == 0, $"{hits.Count} line(s) name a path outside the repository (move the data into testdata/, or make the path relative):\n" + string.Join('\n', hits));
    }

    [Fact]
    public void AllowList_EveryEntryIsStillNeeded()
    {
        var tracked = TrackedFiles().ToHashSet(StringComparer.Ordinal);
        var stale = _allowed
            .Where(a => !tracked.Contains(a.File) || !File.ReadLines(Path.Combine(TestPaths.RepoRoot, a.File)).Any(line => Matches(line, a.Pattern)))
            .Select(a => $"{a.File} ({a.Pattern})")
            .ToList();

        Assert.True(stale.Count == 0, "allow-list entries that no longer match (remove them):\n" + string.Join('\n', stale));
    }

    [Fact]
    public void Corpus_IsInsideTheRepository()
    {
        Assert.Equal(Path.Combine(TestPaths.RepoRoot, "testdata", "corpus"), TestPaths.Corpus);
        Assert.True(File.Exists(Path.Combine(TestPaths.Testdata, "README.md")), "testdata/README.md (sources and licences) is missing");
    }

    [Fact]
    public void Matches_TellsTheSharedFolderFromNamesThatStartLikeIt()
    {
        var shared = _patterns[0];
        Assert.True(Matches($"see {shared}/docs", shared));
        Assert.True(Matches($"read from `{shared}` beside the repository", shared));
        Assert.True(Matches($"from {shared}.", shared));
        Assert.False(Matches($"- ./conf/{shared}-conf:/etc/conf:ro", shared));
        Assert.True(Matches("echo " + MachineRoot("work") + "x", _patterns[1]));
        Assert.False(Matches("volumes: [\"data:/work:ro\"]", _patterns[1]));
    }

    private static string MachineRoot(string name) => "/" + name + "/";

    // The shared folder's name followed by a name character is another folder (e.g. a fixture's `../shared-conf`).
    private static bool Matches(string line, string pattern)
        => pattern.StartsWith("..", StringComparison.Ordinal) ? SharedFolder().IsMatch(line) : line.Contains(pattern, StringComparison.Ordinal);

    [GeneratedRegex(@"\.\./shared(?![\w-])")]
    private static partial Regex SharedFolder();

    private static IEnumerable<string> TrackedFiles()
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = TestPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "ls-files", "-z" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start git");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("git ls-files did not finish in 30 s");
        }

        Assert.True(process.ExitCode == 0, $"git ls-files failed in {TestPaths.RepoRoot} (the check needs a git checkout): {stderr.Result}");
        return stdout.Result.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(TestPaths.RepoRoot, f)));
    }
}
