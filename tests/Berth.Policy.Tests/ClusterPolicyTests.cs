using Berth.Policy.Cluster;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;

namespace Berth.Policy.Tests;

/// <summary>The cluster policy ConfigMap convention (data → policy or refusal) and its short-TTL cache.</summary>
public sealed class ClusterPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Data(params (string Key, string Value)[] entries)
        => entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    [Fact]
    public void NoConfigMap_IsNoPolicy()
    {
        var policy = ClusterPolicyConfigMap.Read("berth-system", null, Ct);

        Assert.Equal(ClusterPolicyState.None, policy.State);
        Assert.Null(policy.Policy);
    }

    [Fact]
    public void AProfileNameAlone_IsThatProfile_NamedAfterTheConfigMap()
    {
        var policy = ClusterPolicyConfigMap.Read("ops", Data(("policy.yaml", "restricted\n")), Ct);

        Assert.Equal(ClusterPolicyState.Active, policy.State);
        Assert.Equal("restricted (configmap ops/berth-policy)", policy.Policy!.Name);
        Assert.Equal(PolicyMode.Enforce, policy.Policy.Mode);
        var violations = PolicyEvaluator.Evaluate(policy.Policy, new PolicyScope("shop", "web"), PolicyTestSupport.LoadText("services:\n  web:\n    image: nginx\n    privileged: true\n"), Ct);
        Assert.Contains(violations, v => v.Code == PolicyCodes.Privileged && v.Location.Line == 4);
    }

    [Fact]
    public void ThePolicysModeIsOverriddenByTheModeKey_ScopesIncluded()
    {
        const string text = """
            version: 1
            name: company
            mode: enforce
            profile: baseline
            scopes:
              - namespace: prod
                profile: restricted
            """;

        var policy = ClusterPolicyConfigMap.Read("berth-system", Data(("policy.yaml", text), ("mode", "warn")), Ct);

        Assert.Equal(ClusterPolicyState.Active, policy.State);
        Assert.Equal("company (configmap berth-system/berth-policy)", policy.Policy!.Name);
        Assert.Equal(PolicyMode.Warn, policy.Policy.Resolve(new PolicyScope("prod", "s")).Mode);
        Assert.Equal(PolicyMode.Warn, policy.Policy.Resolve(new PolicyScope("dev", "s")).Mode);
    }

    [Fact]
    public void ABrokenPolicy_IsInvalid_WithTheConfigMapKeyAndLineAsTheFile_AndFailsClosed()
    {
        const string text = "version: 1\nprofile: baseline\nrules:\n  allowPrivileged: maybe\n";

        var policy = ClusterPolicyConfigMap.Read("berth-system", Data(("policy.yaml", text)), Ct);

        Assert.Equal(ClusterPolicyState.Invalid, policy.State);
        Assert.False(policy.FailsOpen);
        var diagnostic = Assert.Single(policy.Diagnostics);
        Assert.Equal("configmap berth-system/berth-policy key policy.yaml", diagnostic.Location.File);
        Assert.Equal(4, diagnostic.Location.Line);
        Assert.StartsWith("configmap berth-system/berth-policy key policy.yaml:4:", policy.Problem, StringComparison.Ordinal);
        Assert.Contains("nothing is written until an administrator fixes or deletes the ConfigMap", policy.InvalidMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenPolicyInWarnMode_FailsOpen()
    {
        var policy = ClusterPolicyConfigMap.Read("berth-system", Data(("policy.yaml", "version: [\n"), ("mode", "warn")), Ct);

        Assert.Equal(ClusterPolicyState.Invalid, policy.State);
        Assert.True(policy.FailsOpen);
        Assert.Contains("its mode is warn", policy.InvalidMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mode", "audit", "BP104", "key mode")]
    [InlineData("other", "x", "BP105", "no key 'policy.yaml'")]
    [InlineData("policy.yaml", "strict", "BP106", "key policy.yaml:1:1: BP106: 'strict' is not a built-in profile")]
    public void AnUnreadableModeOrAMissingOrUnknownPolicy_IsInvalid(string key, string value, string code, string said)
    {
        var data = key == "mode" ? Data(("policy.yaml", "baseline"), (key, value)) : Data((key, value));

        var policy = ClusterPolicyConfigMap.Read("berth-system", data, Ct);

        Assert.Equal(ClusterPolicyState.Invalid, policy.State);
        Assert.Contains(policy.Diagnostics, d => d.Code == code);
        Assert.Contains(said, policy.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSource_KeepsAReadForItsTimeToLive_ThenReadsAgain()
    {
        var clock = new ManualClock();
        var reads = 0;
        Dictionary<string, string>? data = null;
        using var source = new ClusterPolicySource("berth-system", _ => { reads++; return Task.FromResult<IReadOnlyDictionary<string, string>?>(data); }, TimeSpan.FromSeconds(10), clock);

        var first = await source.GetAsync(Ct);
        data = Data(("policy.yaml", "baseline"));
        var cached = await source.GetAsync(Ct);
        clock.Advance(TimeSpan.FromSeconds(11));
        var reread = await source.GetAsync(Ct);

        Assert.Equal(ClusterPolicyState.None, first.State);
        Assert.Equal(ClusterPolicyState.None, cached.State);
        Assert.Equal(ClusterPolicyState.Active, reread.State);
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task AFailedFetch_KeepsTheLastRead_AndWithoutOne_FailsClosedNamingTheConfigMap()
    {
        var clock = new ManualClock();
        var fail = true;
        using var source = new ClusterPolicySource("ops", _ => fail
            ? throw new HttpRequestException("GET configmaps/berth-policy: 403")
            : Task.FromResult<IReadOnlyDictionary<string, string>?>(Data(("policy.yaml", "restricted"))), TimeSpan.Zero, clock);

        var unreadable = await source.GetAsync(Ct);
        fail = false;
        var read = await source.GetAsync(Ct);
        fail = true;
        var kept = await source.GetAsync(Ct);

        Assert.Equal(ClusterPolicyState.Invalid, unreadable.State);
        Assert.False(unreadable.FailsOpen);
        Assert.Equal("the configmap ops/berth-policy could not be read: GET configmaps/berth-policy: 403", unreadable.Problem);
        Assert.Equal(ClusterPolicyState.Active, read.State);
        Assert.Same(read, kept);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
