using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Fuzz;

/// <summary>
/// Where the fuzzer's seeds and kept cases are. The corpus is the project's one (<see cref="CorpusFiles"/> over
/// <see cref="TestPaths.Corpus"/>): repointing that helper moves the fuzzer with it.
/// </summary>
internal static class FuzzCorpus
{
    public static IEnumerable<string> Files() => CorpusFiles.ComposeFiles();

    /// <summary>The corpus's env files (.env, *.env).</summary>
    public static IEnumerable<string> EnvFiles()
        => Directory.EnumerateFiles(TestPaths.Corpus, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith(".env", StringComparison.Ordinal) || f.EndsWith(".env", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>Minimised inputs of past findings, each kept as a regression test.</summary>
    public static string CasesDirectory => Path.Combine(TestPaths.RepoRoot, "tests", "Berth.Compose.Tests", "Fuzz", "Cases");
}
