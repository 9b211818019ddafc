using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Output;
using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Corpus;

/// <summary>
/// Every Compose file in testdata/corpus: valid ones load without error (and their canonical output loads
/// again to the same result); invalid ones fail with the listed diagnostic code.
/// </summary>
public sealed class CorpusTests
{
    /// <summary>Corpus files that must fail, with the code of the error and why the file is invalid.</summary>
    private static readonly ImmutableDictionary<string, (string Code, string Why)> ExpectedFailures = new Dictionary<string, (string, string)>
    {
        ["compose-go/full-example-2026-01/full-example.yml"] = (DiagnosticCodes.UndefinedReference, "depends on services db/redis and network/volume names it never defines; compose-go's test loads it with consistency checks off (Berth: --no-consistency, see ConsistencyOff test)"),
        ["docker-cli-stack-loader/full-example.yml"] = (DiagnosticCodes.UndefinedReference, "same as compose-go's full example: references undefined services, networks and volumes"),
        ["compose-go/testdata-head/loader/testdata/compose-depends-on-cycle.yaml"] = (DiagnosticCodes.DependencyCycle, "a depends_on cycle, on purpose (compose-go TestLoadDependsOnCycle)"),
        ["compose-go/testdata-head/loader/testdata/compose-depends-on-self.yaml"] = (DiagnosticCodes.DependencyCycle, "a service depending on itself, on purpose (compose-go TestLoadDependsOnSelf)"),
        ["compose-go/testdata-head/loader/testdata/compose-include-cycle.yaml"] = (DiagnosticCodes.IncludeCycle, "includes itself, on purpose (compose-go TestIncludeCycle)"),
        ["compose-go/testdata-head/loader/testdata/empty.yaml"] = (DiagnosticCodes.EmptyFile, "an empty file, on purpose (compose-go: 'empty compose file')"),
        ["compose-go/testdata-head/loader/testdata/extends/base.yaml"] = (DiagnosticCodes.SchemaType, "an extends base with a null service 'nil:'; only valid as a base (loaded through extends it is accepted)"),
        ["compose-go/testdata-head/loader/testdata/include/dir/compose.yaml"] = (DiagnosticCodes.FileNotFound, "only valid when included with project_directory set by include/compose.yaml: its env_file is relative to that folder"),
        ["compose-go/testdata-head/loader/testdata/remote/cycle/compose.yaml"] = (DiagnosticCodes.ExtendsNotFound, "uses compose-go's test-only 'remote:' resource loader; Berth reads local files only"),
        ["compose-go/testdata-head/loader/testdata/remote/cycle/compose-cycle.yaml"] = (DiagnosticCodes.ExtendsNotFound, "as remote/cycle/compose.yaml"),
        ["compose-go/testdata-head/loader/testdata/remote/nested/compose.yaml"] = (DiagnosticCodes.ExtendsNotFound, "as remote/cycle/compose.yaml"),
        ["compose-go/testdata-head/loader/testdata/compose-depends-on-profile-no-cycle.yaml"] = (DiagnosticCodes.DependencyCycle, "without a profile filter the two services depend on each other; compose-go's test enables a profile first (see ProfileFilter tests)"),
        ["compose-go/testdata-head/schema/using-variables.yaml"] = (DiagnosticCodes.InvalidValue, "a schema test: every value is a ${VAR} that the test leaves unset, so interpolation makes them empty (it loads with --no-interpolate, see NoInterpolate test)"),
        ["kompose/volume-mounts-named-volume/docker-compose.yml"] = (DiagnosticCodes.UndefinedReference, "mounts named volume db-data without declaring it; the Compose Specification requires top-level volumes (docker stack accepts it and lets the engine create a local volume)"),
        ["kompose/volume-mounts-named-volume/docker-compose-v3.yml"] = (DiagnosticCodes.UndefinedReference, "as docker-compose.yml in the same folder"),
    }.ToImmutableDictionary();

    private static readonly ImmutableDictionary<string, string> Environment = ImmutableDictionary<string, string>.Empty
        .Add("HOME", "/home/berth-corpus")
        .Add("BAR", "this is a secret")
        .Add("QUX", "qux_from_environment");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in CorpusFiles.ComposeFiles())
        {
            data.Add(Path.GetRelativePath(TestPaths.Corpus, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_CorpusFile_HasTheExpectedVerdict(string relativePath)
    {
        var file = Path.Combine(TestPaths.Corpus, relativePath);
        var result = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Environment, WorkingDirectory = Path.GetDirectoryName(file)! }, TestContext.Current.CancellationToken);
        var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();

        if (ExpectedFailures.TryGetValue(relativePath, out var expected))
        {
            Assert.False(result.Succeeded, $"{relativePath} should fail with {expected.Code} ({expected.Why})");
            Assert.Contains(errors, d => d.Code == expected.Code);
            Assert.All(errors, d => Assert.False(string.IsNullOrWhiteSpace(d.Message)));
            return;
        }

        Assert.True(result.Succeeded, $"{relativePath}:\n{string.Join('\n', errors)}");
        AssertRoundTrips(result, file);
    }

    [Fact]
    public void Load_FullExampleWithoutConsistencyChecks_Succeeds()
    {
        foreach (var relative in new[] { "compose-go/full-example-2026-01/full-example.yml", "docker-cli-stack-loader/full-example.yml" })
        {
            var file = Path.Combine(TestPaths.Corpus, relative);
            var result = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Environment, WorkingDirectory = Path.GetDirectoryName(file)!, CheckConsistency = false }, TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
            Assert.Contains("foo", result.Project!.ServiceNames);
        }
    }

    [Fact]
    public void Load_UsingVariablesWithoutInterpolation_PassesSchemaAndSyntax()
    {
        var file = Path.Combine(TestPaths.Corpus, "compose-go/testdata-head/schema/using-variables.yaml");
        var result = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Environment, WorkingDirectory = Path.GetDirectoryName(file)!, Interpolate = false, CheckConsistency = false }, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(result.Diagnostics, d => d.Code.StartsWith("BC3", StringComparison.Ordinal) || d.Code is DiagnosticCodes.YamlSyntax);
    }

    /// <summary>The canonical output is itself a valid Compose file that loads to the same canonical output.</summary>
    private static void AssertRoundTrips(LoadResult first, string file)
    {
        var yaml = CanonicalYamlWriter.Write(first.Project!.Root);
        var directory = Path.Combine(Path.GetTempPath(), "berth-roundtrip-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            var copy = Path.Combine(directory, "compose.yaml");
            File.WriteAllText(copy, yaml);
            var second = ProjectLoader.Load(new LoadOptions
            {
                Files = [copy],
                Environment = Environment,
                Interpolate = false,
                ProjectDirectory = Path.GetDirectoryName(file),
                WorkingDirectory = directory,
            });
            Assert.True(second.Succeeded, $"canonical output of {file} does not load:\n{string.Join('\n', second.Diagnostics)}\n---\n{yaml}");
            Assert.Equal(yaml, CanonicalYamlWriter.Write(second.Project!.Root));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
