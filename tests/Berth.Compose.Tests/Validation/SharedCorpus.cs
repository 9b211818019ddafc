namespace Berth.Compose.Tests.Validation;

/// <summary>
/// Finds the shared Compose corpus: the folder named <c>shared</c> next to the repository (the folder holding
/// Berth.slnx), or <c>/work/shared</c>. Tests that need it are skipped when it is absent.
/// </summary>
internal static class SharedCorpus
{
    private static readonly Lazy<string?> LazyRoot = new(FindRoot);

    public static string? Root => LazyRoot.Value;

    /// <summary>The corpus folder, or skips the calling test when the corpus is not available.</summary>
    public static string RequireRoot()
    {
        Assert.SkipWhen(Root is null, "the shared corpus (../shared/corpus next to the repository, or /work/shared/corpus) is not available");
        return Root!;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                var sibling = dir.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "corpus");
                if (sibling is not null && Directory.Exists(sibling))
                {
                    return sibling;
                }

                break;
            }
        }

        return Directory.Exists("/work/shared/corpus") ? "/work/shared/corpus" : null;
    }
}
