namespace Berth.Kubernetes.Tests.Support;

/// <summary>Finds the repository and its test data.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);

    public static string RepoRoot => LazyRepoRoot.Value;

    public static string GoldenRoot => Path.Combine(RepoRoot, "tests", "Berth.Kubernetes.Tests", "testdata", "golden");

    public static string ComposeSchema => Path.Combine(RepoRoot, "src", "Berth.Compose", "Schema", "compose-spec.json");

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
