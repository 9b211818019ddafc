using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests;

/// <summary>The Compose files of the corpus (inputs only: kompose outputs and expected files are excluded).</summary>
internal static class CorpusFiles
{
    public static IEnumerable<string> ComposeFiles()
        => Directory.EnumerateFiles(TestPaths.Corpus, "*.*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".yaml" or ".yml")
            .Where(f => !Path.GetFileName(f).StartsWith("output", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("expected", StringComparison.Ordinal))
            .Where(f => !f.Contains("/attribute-snippets/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
