namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>Locations of the repository and of the shared reference data beside it (../shared).</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> _repositoryRoot = new(FindRepositoryRoot);

    /// <summary>The folder holding Berth.slnx.</summary>
    public static string RepositoryRoot => _repositoryRoot.Value;

    public static string Shared
    {
        get
        {
            var beside = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            // Worktrees live one level deeper (/work/wt/NAME) than a plain clone, so fall back to the known location.
            return Directory.Exists(Path.Combine(beside, "corpus")) ? beside : "/work/shared";
        }
    }

    public static string Corpus => Path.Combine(Shared, "corpus");

    public static string KubernetesSchemas => Path.Combine(Shared, "schemas", "kubernetes", "v1.36-standalone-strict-derived");

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Berth.slnx not found above {AppContext.BaseDirectory}");
    }
}
