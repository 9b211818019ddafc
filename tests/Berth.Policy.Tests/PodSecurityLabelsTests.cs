using Berth.Compose.Diagnostics;
using Berth.Policy.Model;
using Berth.Policy.Profiles;

namespace Berth.Policy.Tests;

/// <summary>
/// A namespace's Pod Security admission labels read as Berth policies: the level per mode, the strictest where several
/// apply, and the admission controller's reading of labels it cannot parse (a BP108 warning each, never an exception).
/// </summary>
public sealed class PodSecurityLabelsTests
{
    private const string P = "pod-security.kubernetes.io/";

    public static TheoryData<string, string?, string?, string?, int> Cases => new()
    {
        // labels ("key=value;..."; keys without a '/' get the Pod Security prefix), primary "profile/mode",
        // stricter warning profile, expected BP108 count
        { "", null, null, null, 0 },
        { "app.kubernetes.io/name=shop;example.com/team=payments", null, null, null, 0 },
        { "enforce-version=v1.31", null, null, null, 0 },
        { "enforce=baseline", "baseline/Enforce", null, null, 0 },
        { "enforce=restricted;enforce-version=v1.31", "restricted/Enforce", null, null, 0 },
        { "enforce=restricted;enforce-version=latest", "restricted/Enforce", null, null, 0 },
        { "enforce=privileged", "privileged/Enforce", null, null, 0 },
        { "warn=restricted", "restricted/Warn", null, null, 0 },
        { "audit=baseline", "baseline/Warn", null, null, 0 },
        { "warn=baseline;audit=restricted", "restricted/Warn", null, null, 0 },
        { "warn=restricted;audit=baseline", "restricted/Warn", null, null, 0 },
        { "enforce=baseline;warn=restricted", "baseline/Enforce", "restricted", null, 0 },
        { "enforce=baseline;audit=restricted;warn=baseline", "baseline/Enforce", "restricted", null, 0 },
        { "enforce=restricted;warn=baseline;audit=privileged", "restricted/Enforce", null, null, 0 },
        { "enforce=baseline;warn=baseline", "baseline/Enforce", null, null, 0 },
        { "enforce=privileged;audit=restricted", "privileged/Enforce", "restricted", null, 0 },
        // Unreadable levels: enforce fails closed, warn and audit fail open, as the admission controller does.
        { "enforce=strict", "restricted/Enforce", null, "enforce", 1 },
        { "enforce=Baseline", "restricted/Enforce", null, "enforce", 1 },
        { "warn=hardened", "privileged/Warn", null, "warn", 1 },
        { "enforce=baseline;audit=", "baseline/Enforce", null, "audit", 1 },
        // Unreadable versions are 'latest'; the level still applies.
        { "enforce=baseline;enforce-version=1.31", "baseline/Enforce", null, "enforce-version", 1 },
        { "warn=restricted;warn-version=v2.0", "restricted/Warn", null, "warn-version", 1 },
        { "enforce=baseline;enforce-version=v1.x", "baseline/Enforce", null, "enforce-version", 1 },
        // A misspelt mode is reported and ignored.
        { "enforced=restricted", null, null, "enforced", 1 },
        { "enforce=baseline;warning=restricted;audit-version=latest", "baseline/Enforce", null, "warning", 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Labels_map_to_a_profile_and_mode(string labels, string? primary, string? stricter, string? badLabel, int diagnostics)
    {
        var result = PodSecurityLabels.ToPolicy("shop", Parse(labels));

        Assert.Equal(primary, result.Policy is null ? null : $"{ProfileOf(result.Policy)}/{result.Policy.Mode}");
        Assert.Equal(stricter, result.StricterWarning is null ? null : ProfileOf(result.StricterWarning));
        if (result.StricterWarning is not null)
        {
            Assert.Equal(PolicyMode.Warn, result.StricterWarning.Mode);
        }

        Assert.Equal(diagnostics, result.Diagnostics.Length);
        Assert.All(result.Diagnostics, d =>
        {
            Assert.Equal(PolicyCodes.PodSecurityLabel, d.Code);
            Assert.Equal(Severity.Warning, d.Severity);
            Assert.Equal($"metadata.labels[{P}{badLabel}]", d.YamlPath);
            Assert.Contains("namespace 'shop'", d.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(d.Hint));
        });
    }

    [Fact]
    public void The_policy_names_the_label_version_and_namespace()
    {
        var result = PodSecurityLabels.ToPolicy("shop", Parse("enforce=baseline;enforce-version=v1.31"));
        Assert.Equal("pod-security.kubernetes.io/enforce=baseline (version v1.31) of namespace 'shop'", result.Policy!.Name);
    }

    [Fact]
    public void Enforce_and_a_stricter_warning_report_each_violation_once()
    {
        var result = PodSecurityLabels.ToPolicy("shop", Parse("enforce=baseline;warn=restricted"));
        var project = PolicyTestSupport.LoadText("services:\n  web:\n    image: nginx:1.27\n    privileged: true\n");

        var violations = result.Evaluate(new PolicyScope("shop", "app"), project, TestContext.Current.CancellationToken);

        // privileged: a Baseline error, and not again as a Restricted warning; Restricted's own rules are warnings.
        var error = Assert.Single(violations, v => v.Severity == Severity.Error);
        Assert.Equal(PolicyCodes.Privileged, error.Code);
        Assert.Equal(
            [PolicyCodes.CapabilityDropAll, PolicyCodes.RunsAsRoot, PolicyCodes.NoNewPrivileges],
            violations.Where(v => v.Severity == Severity.Warning).Select(v => v.Code).Order(StringComparer.Ordinal));
        Assert.Equal(violations.OrderBy(v => v.Location.Line).ThenBy(v => v.Location.Column).ThenBy(v => v.Code, StringComparer.Ordinal), violations);
    }

    [Fact]
    public void No_labels_no_violations()
    {
        var project = PolicyTestSupport.LoadText("services:\n  web:\n    image: nginx:1.27\n    privileged: true\n");
        Assert.Empty(PodSecurityLabels.ToPolicy("shop", Parse("")).Evaluate(new PolicyScope("shop", "app"), project, TestContext.Current.CancellationToken));
    }

    private static string ProfileOf(DeployPolicy policy)
        => BuiltInProfiles.Names.Single(n => BuiltInProfiles.TryGetRules(n) == policy.Rules);

    private static Dictionary<string, string> Parse(string labels)
        => labels.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2))
            .ToDictionary(kv => kv[0].Contains('/', StringComparison.Ordinal) ? kv[0] : P + kv[0], kv => kv[1], StringComparer.Ordinal);
}
