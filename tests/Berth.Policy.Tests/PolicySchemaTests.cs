using System.Text.Json.Nodes;
using Berth.Policy.Profiles;
using Berth.Testing;
using Json.Schema;

namespace Berth.Policy.Tests;

/// <summary>The editors' JSON schema accepts what the parser accepts: the built-in profiles and every golden policy.</summary>
public sealed class PolicySchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(PolicySchema.ReadText());

    public static TheoryData<string> Policies => [.. BuiltInProfiles.Names.Select(n => $"profile:{n}")
        .Concat(GoldenFiles.CaseNames(Path.Combine(PolicyTestSupport.TestData, "golden")).Select(c => $"golden:{c}"))];

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_schema_accepts_the_built_in_profiles_and_the_golden_policies(string name)
    {
        var text = name.StartsWith("profile:", StringComparison.Ordinal)
            ? BuiltInProfiles.Yaml(name["profile:".Length..])!
            : File.ReadAllText(Path.Combine(PolicyTestSupport.TestData, "golden", name["golden:".Length..], "policy.yaml"));

        var result = Schema.Evaluate(YamlJson.ReadDocument(text), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("\n", result.Details?.Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")) ?? []));
    }

    [Theory]
    [InlineData("version: 1\ncolour: blue\n")]
    [InlineData("version: 1\nrules:\n  allowPrivileged: \"no\"\n")]
    [InlineData("version: 1\nscopes:\n  - rules: {}\n")]
    [InlineData("version: 1\nprofile: hardened\n")]
    public void The_schema_refuses_what_the_parser_refuses(string text)
    {
        Assert.False(Schema.Evaluate(YamlJson.ReadDocument(text)).IsValid);
        Assert.Null(Berth.Policy.Parsing.PolicyParser.Parse(text, "policy.yaml", TestContext.Current.CancellationToken).Policy);
    }

    [Fact]
    public void The_schema_names_every_rule_the_parser_reads()
    {
        var rules = JsonNode.Parse(PolicySchema.ReadText())!["$defs"]!["rules"]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(Berth.Policy.Parsing.RuleSetReader.RuleKeys.Order(StringComparer.Ordinal), rules);
    }
}
