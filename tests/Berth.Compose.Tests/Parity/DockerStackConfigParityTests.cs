using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Output;
using Berth.Compose.Tests.Support;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Parity;

/// <summary>
/// Parity with the reference implementation on this machine: for every corpus file that `docker stack config`
/// (docker CLI 28) accepts, Berth's canonical output means the same after <see cref="SemanticNormalizer"/>
/// removes formatting and the intended differences it lists. Runs the real docker CLI (no engine needed).
/// </summary>
public sealed class DockerStackConfigParityTests
{
    private static readonly ImmutableDictionary<string, string> Environment = ImmutableDictionary<string, string>.Empty
        .Add("HOME", "/home/berth-parity")
        .Add("BAR", "this is a secret")
        .Add("QUX", "qux_from_environment");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in CorpusFiles.ComposeFiles().Where(f => !f.Contains("/compose-go/testdata-head/", StringComparison.Ordinal)))
        {
            data.Add(Path.GetRelativePath(TestPaths.Corpus, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Config_FileAcceptedByDockerStackConfig_MeansTheSameInBerth(string relativePath)
    {
        var file = Path.Combine(TestPaths.Corpus, relativePath);
        var docker = DockerStackConfig.Run(file, Environment);
        Assert.True(docker.ExitCode is 0 or 1, $"docker stack config crashed: {docker.Stderr}");
        if (docker.ExitCode != 0)
        {
            // The reference rejects the file (e.g. Compose-Spec-only keys that v3 lacks): nothing to compare.
            // Berth accepting more than v3 is the point; CorpusTests checks Berth's own verdict.
            return;
        }

        var berth = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Environment, WorkingDirectory = Path.GetDirectoryName(file)! }, TestContext.Current.CancellationToken);
        Assert.True(berth.Succeeded, $"docker accepts {relativePath} but Berth does not:\n{string.Join('\n', berth.Diagnostics)}");

        var bag = new DiagnosticBag();
        var dockerTree = YamlTreeReader.Read(docker.Stdout, "docker-output", LoadLimits.Default, bag).Single();
        var expected = SemanticNormalizer.FromDocker(ComposeNodeJson.ToJsonNode(dockerTree), Path.GetDirectoryName(file)!);
        var actual = SemanticNormalizer.FromBerth(ComposeNodeJson.ToJsonNode(berth.Project!.Root), berth.Project.Name);

        var differences = JsonDiff.Differences(expected, actual).Where(d => !KnownDifferences.IsExplained(relativePath, d)).ToList();
        Assert.True(differences.Count == 0, $"{relativePath}: {differences.Count} unexplained differences:\n{string.Join('\n', differences)}");
    }

    [Fact]
    public void IntendedDifferences_AreDocumentedWithReasons()
    {
        Assert.All(SemanticNormalizer.IntendedDifferences, d => Assert.False(string.IsNullOrWhiteSpace(d.Why)));
        Assert.All(KnownDifferences.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Why)));
    }
}
