using Berth.Policy.Model;
using Berth.Policy.Parsing;

namespace Berth.Policy.Tests;

/// <summary>Bad policy files: every error at once, each with its line, YAML path and a hint.</summary>
public sealed class PolicyParserTests
{
    [Fact]
    public void Every_error_of_a_file_is_reported_at_once_with_its_line()
    {
        const string text = """
            version: 1
            mode: strict
            profile: hardened
            colour: blue
            rules:
              allowPrivileged: no-thanks
              allowHostNet: false
              ports:
                allowedPublished: ["80", "70000", "9-1"]
              restart:
                allowedPolicies: [sometimes]
              replicas: {min: 5, max: 2}
              capabilities: [CHOWN]
            scopes:
              - name: nobody
                rules: {}
              - namespace: prod
                mode: warn
                rules:
                  requireNonRoot: "yes"
            """;

        var result = PolicyParser.Parse(text, "policy.yaml", TestContext.Current.CancellationToken);

        Assert.Null(result.Policy);
        var found = result.Diagnostics.Select(d => $"{d.Location.Line} {d.Code} {d.YamlPath}").ToArray();
        Assert.Equal(
            [
                "2 BP104 mode",
                "3 BP106 profile",
                "4 BP102 colour",
                "6 BP103 rules.allowPrivileged",
                "7 BP102 rules.allowHostNet",
                "9 BP104 rules.ports.allowedPublished[1]",
                "9 BP104 rules.ports.allowedPublished[2]",
                "11 BP104 rules.restart.allowedPolicies",
                "12 BP104 rules.replicas",
                "13 BP103 rules.capabilities",
                "15 BP104 scopes[0]",
                "20 BP103 scopes[1].rules.requireNonRoot",
            ],
            found);
        Assert.All(result.Diagnostics, d => Assert.False(string.IsNullOrEmpty(d.Hint)));
        Assert.Contains("did you mean 'allowHostNetwork'", result.Diagnostics.Single(d => d.YamlPath == "rules.allowHostNet").Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: 1\nrules:\n  allowPrivileged: [\n", "BP101", 4)]
    [InlineData("", "BP105", 1)]
    [InlineData("- a\n- b\n", "BP105", 1)]
    [InlineData("version: 1\n---\nversion: 1\n", "BP105", 3)]
    [InlineData("rules: {}\n", "BP105", 1)]
    [InlineData("version: 2\n", "BP104", 1)]
    [InlineData("version: 1\nkind: Deployment\n", "BP104", 2)]
    [InlineData("version: 1\nversion: 1\n", "BP101", 2)]
    public void A_file_that_is_not_a_policy_is_one_clear_error(string text, string code, int line)
    {
        var result = PolicyParser.Parse(text, "policy.yaml", TestContext.Current.CancellationToken);

        Assert.Null(result.Policy);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(code, error.Code);
        Assert.Equal(line, error.Location.Line);
        Assert.Equal("policy.yaml", error.Location.File);
    }

    [Fact]
    public void Nesting_deeper_than_the_cap_is_refused_before_the_tree_is_built()
    {
        var text = "version: 1\nrules: " + new string('[', 100_000) + "\n";

        var result = PolicyParser.Parse(text, "policy.yaml", TestContext.Current.CancellationToken);

        Assert.Equal(PolicyCodes.TooLarge, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void A_profile_is_overlaid_rule_by_rule_and_the_first_matching_scope_wins()
    {
        var policy = PolicyTestSupport.ParsePolicy("""
            version: 1
            profile: baseline
            rules:
              allowHostNetwork: true
            scopes:
              - name: prod-payments
                namespace: prod
                stackPrefix: pay-
                profile: restricted
              - name: prod
                namespace: prod
                mode: warn
              - name: payments
                stackPrefix: pay-
            """);

        var defaults = policy.Resolve(new PolicyScope("dev", "web"));
        Assert.Equal(true, defaults.Rules.AllowHostNetwork);
        Assert.Equal(false, defaults.Rules.AllowPrivileged);
        Assert.Equal(PolicyMode.Enforce, defaults.Mode);

        var prodPayments = policy.Resolve(new PolicyScope("prod", "pay-gw"));
        Assert.Equal("policy.yaml scope 'prod-payments'", prodPayments.Name);
        Assert.Equal(true, prodPayments.Rules.RequireNonRoot);
        Assert.Equal(false, prodPayments.Rules.AllowHostNetwork);

        var prod = policy.Resolve(new PolicyScope("prod", "web"));
        Assert.Equal(PolicyMode.Warn, prod.Mode);
        Assert.Equal(RuleSet.Empty, prod.Rules);

        Assert.Equal("policy.yaml scope 'payments'", policy.Resolve(new PolicyScope(null, "pay-swarm")).Name);
    }
}
