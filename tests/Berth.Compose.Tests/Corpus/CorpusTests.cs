using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Output;
using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Corpus;

/// <summary>
/// Every Compose file in ../shared/corpus: valid ones load without error (and their canonical output loads
/// again to the same result); invalid ones fail with the listed diagnostic code.
/// </summary>
public sealed class CorpusTests
{
    /// <summary>Corpus files that must fail, with the code of the error and why the file is invalid.</summary>
    private static readonly ImmutableDictionary<string, (string Code, string Why)> ExpectedFailures = new Dictionary<string, (string, string)>
    {
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
