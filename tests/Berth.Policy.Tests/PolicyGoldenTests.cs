using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Policy.Parsing;
using Berth.Testing;

namespace Berth.Policy.Tests;

/// <summary>
/// One folder a rule (testdata/golden/NAME): compose.yaml and policy.yaml in, expected.txt the violations with their
/// file:line:column, rule and hint. options.txt may give the scope (namespace=, stack=).
/// </summary>
public sealed class PolicyGoldenTests
{
    public static TheoryData<string> Cases => [.. GoldenFiles.CaseNames(Path.Combine(PolicyTestSupport.TestData, "golden"))];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Violations_match_the_expected_text(string caseName)
    {
        var folder = Path.Combine(PolicyTestSupport.TestData, "golden", caseName);
        var project = PolicyTestSupport.LoadProject(Path.Combine(folder, "compose.yaml"));
        var parsed = PolicyParser.Parse(File.ReadAllText(Path.Combine(folder, "policy.yaml")), Path.Combine(folder, "policy.yaml"), TestContext.Current.CancellationToken);
        Assert.True(parsed.Policy is not null, PolicyTestSupport.Format(parsed.Diagnostics, folder));

        var options = GoldenFiles.ReadOptions(folder).ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal);
        var scope = new PolicyScope(options.GetValueOrDefault("namespace"), options.GetValueOrDefault("stack") ?? "app");
        var violations = PolicyEvaluator.Evaluate(parsed.Policy, scope, project, TestContext.Current.CancellationToken);

        Assert.NotEmpty(violations);
        GoldenFiles.Verify(caseName, new GoldenFile(Path.Combine(folder, "expected.txt"), PolicyTestSupport.Format(violations, folder)));
    }
}
