using System.Text.Json;
using Berth.Swarm.Apply;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Convert;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply;

/// <summary>
/// <see cref="SpecDiff"/> on specs converted from Compose (the desired side) and specs shaped as the engine stores
/// them (the live side: IDs instead of names, the daemon's filled-in defaults, hand changes).
/// </summary>
public sealed class SpecDiffTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    internal const string NetworkId = "net0000000000000000000001";

    internal static readonly Dictionary<string, string> NetworkNames = new(StringComparer.Ordinal) { [NetworkId] = "demo_default", ["net2"] = "demo_other" };

    private const string App = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            environment: {MODE: one, LEVEL: "3"}
            labels: {tier: front}
            ports: ["8080:80"]
            secrets: [token]
            deploy:
              labels: {owner: team}
        secrets:
          token: {environment: TOKEN}
        """;

    private static SwarmServicePlan Web(string yaml = App) => SwarmConverterTests.Plan(yaml, ("TOKEN", "s3cret-value")).Services.Single(s => s.ComposeName == "web");

    /// <summary>The spec as the engine answers a list or inspect without insertDefaults, after Berth (or docker stack deploy) wrote <paramref name="written"/>.</summary>
    internal static ServiceSpec Stored(ServiceSpec written, Action<ServiceSpec>? change = null)
    {
        var spec = JsonSerializer.Deserialize(SwarmJson.SerializeToUtf8Bytes(written), SwarmJsonContext.Default.ServiceSpec)!;
        var container = spec.TaskTemplate!.ContainerSpec!;
        container.Isolation = "default";
        container.Privileges = new Privileges();
        foreach (var secret in container.Secrets ?? [])
        {
            secret.SecretID = "id-" + secret.SecretName;
        }

        foreach (var network in spec.TaskTemplate.Networks ?? [])
        {
            network.Target = NetworkNames.Single(n => n.Value == network.Target).Key;
        }

        spec.TaskTemplate.Runtime = "container";
        if (spec.Mode?.Replicated is { } replicated)
        {
            replicated.Replicas ??= 1;
        }

        change?.Invoke(spec);
        return spec;
    }

    private static List<string> Lines(ServiceSpec desired, ServiceSpec live)
        => [.. SpecDiff.Changes(desired, live, NetworkNames).Select(c => c.Describe())];

    [Fact]
    public void StoredSpecOfTheSameFile_HasNoChanges()
    {
        var web = Web();
        Assert.Empty(SpecDiff.Changes(web.Spec, Stored(web.Spec), NetworkNames));
    }

    [Fact]
    public void EngineDefaults_CompareEqualToAbsentFields()
    {
        // What a spec written by another tool, or shown with swarmkit's defaults, holds where the file says nothing.
        var web = Web();
        var live = Stored(web.Spec, s =>
        {
            s.TaskTemplate!.Resources = null;
            s.TaskTemplate.Placement = null;
            s.TaskTemplate.RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromSeconds(5), MaxAttempts = 0 };
            s.TaskTemplate.ContainerSpec!.StopGracePeriod = TimeSpan.FromSeconds(10);
            s.TaskTemplate.ContainerSpec.DNSConfig = new DNSConfig();
            s.UpdateConfig = new SwarmUpdateConfig { Parallelism = 1, FailureAction = "pause", Monitor = TimeSpan.FromSeconds(5), MaxFailureRatio = 0, Order = "stop-first" };
            s.RollbackConfig = new SwarmUpdateConfig { Parallelism = 1, FailureAction = "pause", Monitor = TimeSpan.FromSeconds(5), Order = "stop-first" };
            s.TaskTemplate.ForceUpdate = 3;
            s.Labels.Remove(SwarmLabels.SpecHash);
        });

        Assert.Empty(SpecDiff.Changes(web.Spec, live, NetworkNames));
    }

    [Fact]
    public void Replicas_ShowsOldAndNewValue_AndZeroIsNotTheDefault()
    {
        var web = Web();
        var scaled = Stored(web.Spec, s => s.Mode!.Replicated!.Replicas = 3);
        var change = Assert.Single(SpecDiff.Changes(web.Spec, scaled, NetworkNames));
        Assert.Equal(("Replicas", "3", "1"), (change.Field, change.From, change.To));
        Assert.Equal("Replicas: 3 → 1", change.Describe());
        Assert.False(change.InTaskTemplate);

        Assert.Equal(["Replicas: 0 → 1"], Lines(web.Spec, Stored(web.Spec, s => s.Mode!.Replicated!.Replicas = 0)));
    }

    [Fact]
    public void Env_NamesAddedRemovedAndChangedEntries_NeverTheirValues()
    {
        var web = Web();
        var live = Stored(web.Spec, s => s.TaskTemplate!.ContainerSpec!.Env = ["FOO=bar-secret", "LEVEL=3", "MODE=zero-secret"]);

        var changes = SpecDiff.Changes(web.Spec, live, NetworkNames);

        Assert.Equal(["Env: FOO removed", "Env: MODE changed"], changes.Select(c => c.Describe()));
        Assert.All(changes, c => Assert.True(c.InTaskTemplate));
        var text = string.Join('\n', changes.Select(c => $"{c.From} {c.To} {c.Describe()}"));
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("one", text, StringComparison.Ordinal);

        Assert.Equal(["Env: FOO added"], Lines(Web(App.Replace("LEVEL: \"3\"", "LEVEL: \"3\", FOO: x", StringComparison.Ordinal)).Spec, Stored(web.Spec)));
    }

    [Fact]
    public void Env_OrderDoesNotMatter()
    {
        var web = Web();
        var live = Stored(web.Spec, s => s.TaskTemplate!.ContainerSpec!.Env = [.. s.TaskTemplate.ContainerSpec.Env!.Reverse()]);
        Assert.Empty(SpecDiff.Changes(web.Spec, live, NetworkNames));
    }

    [Fact]
    public void Labels_ShowKeysAndValues_ServiceAndContainer_ButNotBerthsOwn()
    {
        var web = Web();
        var live = Stored(web.Spec, s =>
        {
            s.Labels["owner"] = "ops";
            s.Labels["added.by.hand"] = "yes";
            s.Labels[SwarmLabels.SpecHash] = "0000000000000000";
            s.TaskTemplate!.ContainerSpec!.Labels!.Remove("tier");
        });

        Assert.Equal(["Labels: added.by.hand=yes removed", "Labels: owner=ops → owner=team", "Labels: tier=front added"], Lines(web.Spec, live));
    }

    [Fact]
    public void Secrets_AreComparedByName_IdsIgnored_NewContentShowsOldAndNewName()
    {
        var web = Web();
        var name = web.Spec.TaskTemplate!.ContainerSpec!.Secrets![0].SecretName;
        Assert.Empty(SpecDiff.Changes(web.Spec, Stored(web.Spec, s => s.TaskTemplate!.ContainerSpec!.Secrets![0].SecretID = "another-id"), NetworkNames));

        var live = Stored(web.Spec, s => s.TaskTemplate!.ContainerSpec!.Secrets![0].SecretName = "demo_token_0000000000");
        var change = Assert.Single(SpecDiff.Changes(web.Spec, live, NetworkNames));
        Assert.Equal($"Secrets: demo_token_0000000000 → {name}", change.Describe());
        Assert.DoesNotContain("s3cret", change.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Image_PinnedByDigest_MatchesTheSameTag_ButNotAnotherTag()
    {
        var web = Web();
        Assert.Empty(SpecDiff.Changes(web.Spec, Stored(web.Spec, s => s.TaskTemplate!.ContainerSpec!.Image = $"berth-test/busybox:1@{Digest}"), NetworkNames));
        Assert.Equal(["Image: berth-test/busybox:0 → berth-test/busybox:1"], Lines(web.Spec, Stored(web.Spec, s => s.TaskTemplate!.ContainerSpec!.Image = $"berth-test/busybox:0@{Digest}")));
    }

    [Fact]
    public void Image_PinnedInTheFile_MustMatchTheLiveDigest()
    {
        var pinned = Web(App.Replace("berth-test/busybox:1", $"berth-test/busybox:1@{Digest}", StringComparison.Ordinal));
        var other = "sha256:" + new string('f', 64);
        Assert.Single(SpecDiff.Changes(pinned.Spec, Stored(pinned.Spec, s => s.TaskTemplate!.ContainerSpec!.Image = $"berth-test/busybox:1@{other}"), NetworkNames));
    }

    [Fact]
    public void Networks_AreComparedByName()
    {
        var web = Web();
        var live = Stored(web.Spec, s => s.TaskTemplate!.Networks![0].Target = "net2");
        var change = Assert.Single(SpecDiff.Changes(web.Spec, live, NetworkNames));
        Assert.Equal("Networks", change.Field);
        Assert.Contains("demo_other", change.From, StringComparison.Ordinal);
        Assert.Contains("demo_default", change.To, StringComparison.Ordinal);
        Assert.True(change.InTaskTemplate);
    }

    [Fact]
    public void OtherFields_ShowTheirValues()
    {
        var web = Web();
        var live = Stored(web.Spec, s =>
        {
            s.TaskTemplate!.RestartPolicy = new SwarmRestartPolicy { Condition = "on-failure" };
            s.EndpointSpec!.Ports![0].PublishedPort = 9090;
            s.TaskTemplate.ContainerSpec!.Hostname = "by-hand";
        });

        Assert.Equal(
            [
                "Hostname: by-hand removed",
                "Ports: [{\"TargetPort\":80,\"PublishedPort\":9090}] → [{\"TargetPort\":80,\"PublishedPort\":8080}]",
                "RestartPolicy: {\"Condition\":\"on-failure\",\"Delay\":\"00:00:05\"} → {\"Condition\":\"any\",\"Delay\":\"00:00:05\"}",
            ],
            Lines(web.Spec, live));
    }

    [Fact]
    public void FieldNames_AreDistinctAndSorted()
    {
        var web = Web();
        var live = Stored(web.Spec, s =>
        {
            s.Mode!.Replicated!.Replicas = 2;
            s.TaskTemplate!.ContainerSpec!.Env = ["A=1", "B=2"];
        });

        Assert.Equal(["Env", "Replicas"], SpecDiff.FieldNames(SpecDiff.Changes(web.Spec, live, NetworkNames)));
    }
}
