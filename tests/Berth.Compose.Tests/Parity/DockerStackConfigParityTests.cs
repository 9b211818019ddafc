using System.Collections.Concurrent;
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

    /// <summary>
    /// How many corpus files docker stack config accepted (and so were compared) when this was written: a reference
    /// that breaks (refuses everything, or cannot run) would otherwise leave every comparison above trivially passing.
    /// </summary>
    private const int MinimumCompared = 47;

    // Each file's docker answer, shared by the per-file comparisons and the count below (docker runs once per file).
    private static readonly ConcurrentDictionary<string, (int ExitCode, string Stdout, string Stderr)> DockerAnswers = new(StringComparer.Ordinal);

    public static TheoryData<string> Files() => new(RelativeFiles());

    private static IEnumerable<string> RelativeFiles()
        => CorpusFiles.ComposeFiles().Where(f => !f.Contains("/compose-go/testdata-head/", StringComparison.Ordinal)).Select(f => Path.GetRelativePath(TestPaths.Corpus, f));

    [Theory]
    [MemberData(nameof(Files))]
    public void Config_FileAcceptedByDockerStackConfig_MeansTheSameInBerth(string relativePath)
    {
        var file = Path.Combine(TestPaths.Corpus, relativePath);

        // docker stack never reads .env; give it the same variables Berth reads from there, so the
        // comparison is about meaning, not about that missing feature.
        var environment = WithDotEnv(Path.GetDirectoryName(file)!);
        var docker = DockerAnswers.GetOrAdd(file, f => DockerStackConfig.Run(f, environment));
        Assert.True(docker.ExitCode is 0 or 1, $"docker stack config crashed: {docker.Stderr}");
        if (docker.ExitCode != 0)
        {
            // The reference rejects the file (e.g. Compose-Spec-only keys that v3 lacks): nothing to compare.
            // Berth accepting more than v3 is the point; CorpusTests checks Berth's own verdict.
            return;
        }

        var options = new LoadOptions { Files = [file], Environment = Environment, WorkingDirectory = Path.GetDirectoryName(file)! };
        var berth = ProjectLoader.Load(options, TestContext.Current.CancellationToken);
        if (!berth.Succeeded)
        {
            // docker stack config does not check references between services, networks and volumes (the engine
            // fails later, at deploy time); Berth does. Only such consistency errors may differ; the rest is compared.
            var errors = berth.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
            Assert.True(errors.TrueForAll(d => ConsistencyCodes.Contains(d.Code)), $"docker accepts {relativePath} but Berth does not:\n{string.Join('\n', errors)}");
            berth = ProjectLoader.Load(options with { CheckConsistency = false }, TestContext.Current.CancellationToken);
            Assert.True(berth.Succeeded, $"{relativePath} does not load even without consistency checks:\n{string.Join('\n', berth.Diagnostics)}");
        }

        var bag = new DiagnosticBag();
        var dockerTree = YamlTreeReader.Read(docker.Stdout, "docker-output", LoadLimits.Default, bag).Single();
        var expected = SemanticNormalizer.FromDocker(ComposeNodeJson.ToJsonNode(dockerTree), Path.GetDirectoryName(file)!);
        var actual = SemanticNormalizer.FromBerth(ComposeNodeJson.ToJsonNode(berth.Project!.Root), berth.Project.Name);

        var differences = JsonDiff.Differences(expected, actual).Where(d => !KnownDifferences.IsExplained(relativePath, d)).ToList();
        Assert.True(differences.Count == 0, $"{relativePath}: {differences.Count} unexplained differences:\n{string.Join('\n', differences)}");
    }

    [Fact]
    public void Config_DockerStackConfigAcceptsAtLeastTheStatedNumberOfCorpusFiles()
    {
        var accepted = new List<string>();
        var answers = new List<string>();
        foreach (var relativePath in RelativeFiles())
        {
            var file = Path.Combine(TestPaths.Corpus, relativePath);
            var docker = DockerAnswers.GetOrAdd(file, f => DockerStackConfig.Run(f, WithDotEnv(Path.GetDirectoryName(f)!)));
            answers.Add($"{relativePath}: exit {docker.ExitCode} {docker.Stderr.Split('\n')[0]}");
            if (docker.ExitCode == 0)
            {
                accepted.Add(relativePath);
            }
        }

        Assert.True(
            accepted.Count >= MinimumCompared,
            $"only {accepted.Count} corpus files were compared with docker stack config (at least {MinimumCompared} expected); docker's answers:\n{string.Join('\n', answers)}");
    }

    [Fact]
    public void Config_WindowsBindSources_MeanWhatDockerStackConfigMakesOfThem()
    {
        // Issue 9: docker accepts drive letters in the short volume syntax (source and target); Berth refused them.
        var directory = Directory.CreateTempSubdirectory("berth-parity-").FullName;
        try
        {
            var file = Path.Combine(directory, "compose.yaml");
            File.WriteAllText(file, """
                services:
                  web:
                    image: nginx
                    volumes:
                      - 'C:\Users\data:D:\config:rw'
                      - 'c:/data:/data'
                      - 'C:\logs:/logs:ro'
                      - 'C:foo:/foo'
                      - 'a:b:c:d'
                      - 'data:C:\x'
                      - 'C:\a:D:'
                volumes:
                  data: {}
                """);
            var docker = DockerStackConfig.Run(file, Environment);
            Assert.True(docker.ExitCode == 0, $"docker stack config refused the file: {docker.Stderr}");

            var berth = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Environment, WorkingDirectory = directory }, TestContext.Current.CancellationToken);
            Assert.True(berth.Succeeded, string.Join('\n', berth.Diagnostics));

            var bag = new DiagnosticBag();
            var dockerTree = YamlTreeReader.Read(docker.Stdout, "docker-output", LoadLimits.Default, bag).Single();
            var expected = SemanticNormalizer.FromDocker(ComposeNodeJson.ToJsonNode(dockerTree), directory);
            var actual = SemanticNormalizer.FromBerth(ComposeNodeJson.ToJsonNode(berth.Project!.Root), berth.Project.Name);
            var differences = JsonDiff.Differences(expected, actual);
            Assert.True(differences.Count == 0, $"{differences.Count} differences:\n{string.Join('\n', differences)}");
            Assert.Contains(@"C:\Users\data", docker.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static readonly string[] ConsistencyCodes = [DiagnosticCodes.UndefinedReference, DiagnosticCodes.DependencyCycle, DiagnosticCodes.Conflict];

    private static ImmutableDictionary<string, string> WithDotEnv(string directory)
    {
        var dotEnv = Path.Combine(directory, ".env");
        if (!File.Exists(dotEnv))
        {
            return Environment;
        }

        var entries = Berth.Compose.Interpolation.DotEnvParser.ReadFile(dotEnv, _ => null, new DiagnosticBag());
        return Environment.SetItems(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
    }

    [Fact]
    public void IntendedDifferences_AreDocumentedWithReasons()
    {
        Assert.All(SemanticNormalizer.IntendedDifferences, d => Assert.False(string.IsNullOrWhiteSpace(d.Why)));
        Assert.All(KnownDifferences.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Why)));
    }
}
