namespace Berth.Swarm.Tests.Support;

/// <summary>Finds the repository root (the folder holding Berth.slnx).</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> LazyRepoRoot = new(FindRepoRoot);

    public static string RepoRoot => LazyRepoRoot.Value;

    public static string GoldenRoot => Path.Combine(RepoRoot, "tests", "Berth.Swarm.Tests", "testdata", "golden");

    /// <summary>berth.dll, copied next to the tests by the project reference.</summary>
    public static string BerthDll => Path.Combine(AppContext.BaseDirectory, "berth.dll");

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
