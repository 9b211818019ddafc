namespace Berth.Bench;

/// <summary>Finds the corpus in the repository (testdata/corpus beside Berth.slnx).</summary>
public static class Corpus
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                var corpus = Path.Combine(dir.FullName, "testdata", "corpus");
                return Directory.Exists(corpus) ? corpus : throw new DirectoryNotFoundException($"the corpus is missing: expected {corpus}");
            }
        }

        throw new InvalidOperationException("Berth.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The awesome-compose and kompose inputs: real-world files.</summary>
    public static string[] ValidFiles()
        => [.. Directory.EnumerateFiles(Root(), "*.y*ml", SearchOption.AllDirectories)
            .Where(f => f.Contains("/awesome-compose/", StringComparison.Ordinal) || (f.Contains("/kompose/", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("output", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];
}
