namespace Berth.Compose.Tests.Support;

/// <summary>Finds the repository and the shared corpus (../shared beside the repository).</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);

    public static string RepoRoot => LazyRepoRoot.Value;

    public static string Shared
    {
        get
        {
            var beside = Path.Combine(Path.GetDirectoryName(RepoRoot)!, "shared");
            return Directory.Exists(beside) ? beside : "/work/shared";
        }
    }

    /// <summary>The corpus folder; a test that needs it fails with this message when it is missing (never skips).</summary>
    public static string Corpus
    {
        get
        {
            var corpus = Path.Combine(Shared, "corpus");
            return Directory.Exists(corpus) ? corpus : throw new DirectoryNotFoundException($"the shared corpus is missing: expected {corpus} (../shared beside the repository)");
        }
    }

    public static string GoldenRoot => Path.Combine(RepoRoot, "tests", "Berth.Compose.Tests", "testdata", "golden");

    private static string FindRepoRoot()
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
