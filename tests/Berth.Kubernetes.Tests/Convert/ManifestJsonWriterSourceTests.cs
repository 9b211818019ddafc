using Berth.Kubernetes.Tests.Support;

namespace Berth.Kubernetes.Tests.Convert;

/// <summary>
/// The committed generated writer is what the generator makes from the KubernetesClient models in use: a client upgrade
/// that adds, renames or retypes a property fails here (regenerate with <c>BERTH_UPDATE_GOLDEN=1</c>).
/// </summary>
public sealed class ManifestJsonWriterSourceTests
{
    [Fact]
    public void GeneratedWriter_MatchesTheModels()
    {
        var path = Path.Combine(TestPaths.RepoRoot, ManifestJsonWriterSource.RelativePath);
        var generated = ManifestJsonWriterSource.Generate();
        if (Environment.GetEnvironmentVariable("BERTH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{ManifestJsonWriterSource.RelativePath} is missing: run this test with BERTH_UPDATE_GOLDEN=1.");
        Assert.Equal(generated, File.ReadAllText(path));
    }
}
