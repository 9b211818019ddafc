using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Verification.Tests.Support;

namespace Berth.Kubernetes.Verification.Tests.Corpus;

/// <summary>
/// Every Compose file of ../shared/corpus that Berth's loader accepts converts without exception, without error
/// diagnostics (except the genuinely unsupported inputs listed below), and every object it emits validates against
/// the Kubernetes 1.36 strict schema of its kind.
/// </summary>
public sealed class CorpusConversionTests
{
    /// <summary>Corpus files whose conversion must report an error, with the diagnostic code and why the input cannot be converted.</summary>
    private static readonly ImmutableDictionary<string, (string Code, string Why)> _unsupportedInputs = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
    }.ToImmutableDictionary();

    private static readonly Lazy<ImmutableArray<string>> _accepted = new(() =>
        [.. ComposeFiles().Where(f => Conversion.Load(f).Succeeded).Select(f => Path.GetRelativePath(TestPaths.Corpus, f))]);

    public static TheoryData<string> AcceptedFiles() => [.. _accepted.Value];

    [Fact]
    public void Corpus_HasEnoughAcceptedFilesToMeanSomething()
        => Assert.True(_accepted.Value.Length >= 100, $"only {_accepted.Value.Length} corpus files load: is ../shared/corpus complete?");

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void Convert_CorpusFile_NoErrorAndEveryObjectValidates(string relativePath)
    {
        var (plan, objects) = Conversion.Convert(Conversion.Load(Path.Combine(TestPaths.Corpus, relativePath)));
        var errors = plan.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();

        if (_unsupportedInputs.TryGetValue(relativePath, out var expected))
        {
            Assert.Contains(errors, d => d.Code == expected.Code);
        }
        else
        {
            Assert.True(errors.Count == 0, $"{relativePath}:\n{string.Join('\n', errors)}");
        }

        Assert.Equal(plan.Objects.Length, objects.Count);
        var violations = objects.SelectMany(KubernetesSchemaValidator.Shared.Validate).ToList();
        Assert.True(violations.Count == 0, $"{relativePath}: {violations.Count} schema violation(s):\n{string.Join('\n', violations)}");
    }

    [Fact]
    public void UnsupportedInputs_AreAllInTheCorpus()
    {
        Assert.All(_unsupportedInputs.Keys, k => Assert.Contains(k, _accepted.Value));
    }

    private static IEnumerable<string> ComposeFiles()
        => Directory.EnumerateFiles(TestPaths.Corpus, "*.*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".yaml" or ".yml")
            .Where(f => !Path.GetFileName(f).StartsWith("output", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("expected", StringComparison.Ordinal))
            .Where(f => !f.Contains("/provider-files/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
}
