using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Output;
using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Golden;

/// <summary>
/// Golden tests by folder (testdata/golden/&lt;case&gt;/): load the case like `berth config` and compare with the
/// hand-reviewed expected output. Set BERTH_UPDATE_GOLDEN=1 locally to rewrite expectations (never on CI),
/// then review the diff by hand before committing.
/// </summary>
public sealed class GoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.EnumerateDirectories(TestPaths.GoldenRoot).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Load_GoldenCase_MatchesExpectedOutput(string name)
    {
        var golden = new GoldenCase(name, Path.Combine(TestPaths.GoldenRoot, name));
        var result = ProjectLoader.Load(golden.Options(), TestContext.Current.CancellationToken);

        var expectedYaml = Path.Combine(golden.Directory, "expected.yaml");
        var expectedErrors = Path.Combine(golden.Directory, "expected-errors.txt");
        var expectedWarnings = Path.Combine(golden.Directory, "expected-warnings.txt");
        var diagnostics = Format(result.Diagnostics.Where(d => result.Succeeded ? d.Severity != Severity.Error : d.Severity == Severity.Error), golden.Directory);
        var (expectedPath, actual) = result.Succeeded
            ? (expectedYaml, Placeholders(CanonicalYamlWriter.Write(result.Project!.Root), golden.Directory))
            : (expectedErrors, diagnostics);

        if (Environment.GetEnvironmentVariable("BERTH_UPDATE_GOLDEN") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            File.Delete(expectedYaml);
            File.Delete(expectedErrors);
            File.Delete(expectedWarnings);
            File.WriteAllText(expectedPath, actual);
            if (result.Succeeded && diagnostics.Length > 0)
            {
                File.WriteAllText(expectedWarnings, diagnostics);
            }

            return;
        }

        Assert.True(File.Exists(expectedPath), $"{name}: expected {Path.GetFileName(expectedPath)} (load {(result.Succeeded ? "succeeded" : "failed")}):\n{actual}");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
        if (result.Succeeded)
        {
            Assert.Equal(File.Exists(expectedWarnings) ? File.ReadAllText(expectedWarnings) : string.Empty, diagnostics);
        }
    }

    private static string Format(IEnumerable<Diagnostic> diagnostics, string directory)
        => string.Concat(diagnostics.Select(d => Placeholders(d.ToString(), directory) + (d.Hint is null ? string.Empty : $"\n  hint: {d.Hint}") + "\n"));

    private static string Placeholders(string text, string directory)
        => text.Replace(directory, GoldenCase.ProjectPlaceholder, StringComparison.Ordinal);
}
