using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Corpus;

/// <summary>
/// compose-go's per-attribute loader snippets (one per Compose key, testdata/corpus/compose-go/attribute-snippets)
/// through Berth's whole pipeline. compose-go loads them without consistency checks; Berth always checks,
/// so the few snippets that are inconsistent on purpose are listed with the error Berth must give.
/// </summary>
public sealed class AttributeSnippetTests
{
    private static readonly ImmutableDictionary<string, (string Code, string Why)> ExpectedFailures = new Dictionary<string, (string, string)>
    {
        ["develop__TestDevelopMissingAction.yaml"] = (DiagnosticCodes.SchemaRequired, "compose-go's test expects this error too: watch entries need an action"),
        ["environment__TestEnvironmentInvalidObject.yaml"] = (DiagnosticCodes.SchemaType, "compose-go's test expects an error: environment must be a mapping or a list"),
        ["environment__TestEnvironmentInvalidValue.yaml"] = (DiagnosticCodes.SchemaType, "compose-go's test expects an error: environment values must be scalars"),
        ["environment__TestEnvironmentWhitespace.yaml"] = (DiagnosticCodes.InvalidValue, "compose-go's test expects an error: 'DEBUG = true' has a space before '='"),
        ["secrets__TestSecretFileModeNumber.yaml"] = (DiagnosticCodes.UndefinedReference, "uses a secret it never declares (compose-go loads snippets without consistency checks)"),
        ["secrets__TestSecretFileModeString.yaml"] = (DiagnosticCodes.UndefinedReference, "as secrets__TestSecretFileModeNumber.yaml"),
        ["models__TestModels.yaml"] = (DiagnosticCodes.MissingImage, "its services have only 'models' and no image (compose-go loads snippets without consistency checks)"),
        ["service_hooks__TestServiceHooks.yaml"] = (DiagnosticCodes.SchemaUnknownKey, "'pre_start' exists only in compose-go's copy of the schema, not yet in the Compose Specification Berth validates against"),
        ["service_hooks__TestPreStartInheritsServiceImage.yaml"] = (DiagnosticCodes.SchemaUnknownKey, "as service_hooks__TestServiceHooks.yaml"),
        ["build_extra__TestBuildNoCacheFilter.yaml"] = (DiagnosticCodes.SchemaUnknownKey, "'build.no_cache_filter' is not in the Compose Specification schema Berth validates against"),
    }.ToImmutableDictionary();

    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.Corpus, "compose-go", "attribute-snippets"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Load_AttributeSnippet_HasTheExpectedVerdict(string name)
    {
        var file = Path.Combine(TestPaths.Corpus, "compose-go", "attribute-snippets", name);
        var environment = ImmutableDictionary<string, string>.Empty.Add("HOME", "/home/snippets");
        var result = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = environment, WorkingDirectory = Path.GetDirectoryName(file)! }, TestContext.Current.CancellationToken);
        var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();

        if (ExpectedFailures.TryGetValue(name, out var expected))
        {
            Assert.Contains(errors, d => d.Code == expected.Code);
            return;
        }

        Assert.True(result.Succeeded, $"{name}:\n{string.Join('\n', errors)}");
    }
}
