namespace Berth.Bench;

/// <summary>Finds the shared corpus beside the repository.</summary>
public static class Corpus
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                var shared = Path.Combine(dir.Parent!.FullName, "shared", "corpus");
                if (Directory.Exists(shared))
                {
                    return shared;
                }
            }
        }

        return "/work/shared/corpus";
    }

    /// <summary>The awesome-compose and kompose inputs: real-world files.</summary>
    public static string[] ValidFiles()
        => [.. Directory.EnumerateFiles(Root(), "*.y*ml", SearchOption.AllDirectories)
            .Where(f => f.Contains("/awesome-compose/", StringComparison.Ordinal) || (f.Contains("/kompose/", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("output", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)];
}
