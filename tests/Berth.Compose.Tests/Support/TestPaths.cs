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

    public static string Corpus => Path.Combine(Shared, "corpus");

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
