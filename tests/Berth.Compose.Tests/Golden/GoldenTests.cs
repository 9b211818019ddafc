using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Output;
using Berth.Compose.Tests.Support;
using Berth.Testing;

namespace Berth.Compose.Tests.Golden;

/// <summary>
/// Golden tests by folder (testdata/golden/&lt;case&gt;/): load the case like `berth config` and compare with the
/// hand-reviewed expected output. Set BERTH_UPDATE_GOLDEN=1 locally to rewrite expectations (refused on CI: <see cref="GoldenFiles"/>),
/// then review the diff by hand before committing.
/// </summary>
public sealed class GoldenTests
{
    public static TheoryData<string> Cases() => new(GoldenFiles.CaseNames(TestPaths.GoldenRoot));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Load_GoldenCase_MatchesExpectedOutput(string name)
    {
        var golden = new GoldenCase(name, Path.Combine(TestPaths.GoldenRoot, name));
        var result = ProjectLoader.Load(golden.Options(), TestContext.Current.CancellationToken);

        var diagnostics = Format(result.Diagnostics.Where(d => result.Succeeded ? d.Severity != Severity.Error : d.Severity == Severity.Error), golden.Directory);

        // A valid project: its canonical YAML and its warnings (no file when there are none); an invalid one: its errors.
        GoldenFiles.Verify(
            name,
            new GoldenFile(Path.Combine(golden.Directory, "expected.yaml"), result.Succeeded ? Placeholders(CanonicalYamlWriter.Write(result.Project!.Root), golden.Directory) : null),
            new GoldenFile(Path.Combine(golden.Directory, "expected-errors.txt"), result.Succeeded ? null : diagnostics),
            new GoldenFile(Path.Combine(golden.Directory, "expected-warnings.txt"), result.Succeeded && diagnostics.Length > 0 ? diagnostics : null));
    }

    private static string Format(IEnumerable<Diagnostic> diagnostics, string directory)
        => string.Concat(diagnostics.Select(d => Placeholders(d.ToString(), directory) + (d.Hint is null ? string.Empty : $"\n  hint: {d.Hint}") + "\n"));

    private static string Placeholders(string text, string directory)
        => text.Replace(directory, GoldenCase.ProjectPlaceholder, StringComparison.Ordinal);
}
