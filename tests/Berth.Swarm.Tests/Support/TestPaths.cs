namespace Berth.Swarm.Tests.Support;

/// <summary>Finds the repository root (the folder holding Berth.slnx).</summary>
internal static class TestPaths
{
    public static string RepoRoot => Berth.Testing.RepositoryRoot.Path;

    public static string GoldenRoot => Path.Combine(RepoRoot, "tests", "Berth.Swarm.Tests", "testdata", "golden");

    /// <summary>berth.dll, copied next to the tests by the project reference.</summary>
    public static string BerthDll => Path.Combine(AppContext.BaseDirectory, "berth.dll");
}
