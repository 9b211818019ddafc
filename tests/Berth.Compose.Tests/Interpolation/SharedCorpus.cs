using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Interpolation;

/// <summary>The compose-go fixtures the interpolation tests read, inside the corpus (<see cref="TestPaths"/>).</summary>
internal static class SharedCorpus
{
    public static string DotEnvFixtures => Path.Combine(TestPaths.Corpus, "compose-go", "testdata-head", "dotenv", "fixtures");

    public static string CliTestData => Path.Combine(TestPaths.Corpus, "compose-go", "testdata-head", "cli", "testdata");
}
