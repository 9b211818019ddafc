namespace Berth.Kubernetes.Tests.Support;

/// <summary>Finds the repository and its test data.</summary>
internal static class TestPaths
{
    public static string RepoRoot => Berth.Testing.RepositoryRoot.Path;

    public static string GoldenRoot => Path.Combine(RepoRoot, "tests", "Berth.Kubernetes.Tests", "testdata", "golden");

    public static string ComposeSchema => Path.Combine(RepoRoot, "src", "Berth.Compose", "Schema", "compose-spec.json");
}
