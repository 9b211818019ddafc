namespace Berth.Compose.Tests.Interpolation;

/// <summary>Finds the shared reference corpus, which lives in a <c>shared</c> folder beside the repository.</summary>
internal static class SharedCorpus
{
    private const string Fallback = "/work/shared";

    public static string Root { get; } = Locate();

    public static string DotEnvFixtures => Path.Combine(Root, "corpus", "compose-go", "testdata-head", "dotenv", "fixtures");

    public static string CliTestData => Path.Combine(Root, "corpus", "compose-go", "testdata-head", "cli", "testdata");

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "corpus", "compose-go")))
            {
                return candidate;
            }
        }

        return Fallback;
    }
}
