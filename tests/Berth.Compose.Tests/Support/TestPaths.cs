namespace Berth.Compose.Tests.Support;

/// <summary>Finds the repository and the reference data inside it (testdata/ at the repository root).</summary>
internal static class TestPaths
{
    public static string RepoRoot => Berth.Testing.RepositoryRoot.Path;

    /// <summary>The third-party data the tests read (see testdata/README.md).</summary>
    public static string Testdata => Path.Combine(RepoRoot, "testdata");

    /// <summary>The corpus folder; a test that needs it fails with this message when it is missing (never skips).</summary>
    public static string Corpus
    {
        get
        {
            var corpus = Path.Combine(Testdata, "corpus");
            return Directory.Exists(corpus) ? corpus : throw new DirectoryNotFoundException($"the corpus is missing: expected {corpus} (testdata/corpus in the repository)");
        }
    }

    public static string GoldenRoot => Path.Combine(RepoRoot, "tests", "Berth.Compose.Tests", "testdata", "golden");
}
