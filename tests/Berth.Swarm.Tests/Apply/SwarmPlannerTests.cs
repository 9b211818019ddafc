using Berth.Swarm.Apply;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Convert;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply;

/// <summary><see cref="SwarmPlanner.Plan"/> on constructed engine states: no engine involved.</summary>
public sealed class SwarmPlannerTests
{
    private const string App = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            environment: {MODE: one}
            secrets: [token]
          job:
            image: berth-test/busybox:1
            command: ["true"]
            deploy: {mode: replicated-job}
        secrets:
          token: {environment: TOKEN}
        """;

    private static readonly Dictionary<string, string> s_stackLabel = new(StringComparer.Ordinal) { ["com.docker.stack.namespace"] = "demo" };

    private static SwarmPlan Plan(string yaml = App) => SwarmConverterTests.Plan(yaml, ("TOKEN", "s3cret-value"));

    private static SwarmService Live(ServiceSpec spec, string id) => new() { ID = id, Spec = spec, Version = new Docker.DotNet.Models.Version { Index = 7 } };

    /// <summary>The engine after a deploy of <paramref name="plan"/>, with <paramref name="change"/> applied to each stored service spec.</summary>
    private static SwarmState Deployed(SwarmPlan plan, Action<ServiceSpec>? change = null, IEnumerable<SwarmService>? extra = null)
        => new(
            [.. plan.Services.Select(s => Live(SpecDiffTests.Stored(s.Spec, change), "id-" + s.Name)), .. extra ?? []],
            [new NetworkResponse { ID = SpecDiffTests.NetworkId, Name = "demo_default", Scope = "swarm", Labels = s_stackLabel }],
            [.. plan.Secrets.Select(s => new Secret { ID = "id-" + s.Name, Spec = s.Spec! })],
            []);

    private static SwarmState Empty() => new([], [], [], []);

    [Fact]
    public void NothingDeployed_CreatesEverything()
    {
        var plan = Plan();
        var result = SwarmPlanner.Plan(plan, Empty(), prune: false);
        Assert.Equal(
            ["create network demo_default", $"create secret {plan.Secrets[0].Name}", "create service demo_job", "create service demo_web"],
            result.Changes.Select(c => $"{c.Action.ToString().ToLowerInvariant()} {c.Kind} {c.Name}"));
        Assert.Empty(result.UnchangedServices);
    }

    [Fact]
    public void DeployedAsPlanned_IsUnchanged()
    {
        var plan = Plan();
        var result = SwarmPlanner.Plan(plan, Deployed(plan), prune: true);
        Assert.False(result.HasChanges, string.Join('\n', result.Changes));
        Assert.Equal(["demo_job", "demo_web"], result.UnchangedServices);
    }

    [Fact]
    public void ChangedFile_IsAnUpdateWithFieldsAndValues()
    {
        var deployed = Deployed(Plan());
        var result = SwarmPlanner.Plan(Plan(App.Replace("MODE: one", "MODE: two", StringComparison.Ordinal)), deployed, prune: false);
        var update = Assert.Single(result.Changes);
        Assert.Equal((ChangeAction.Update, "demo_web", "id-demo_web"), (update.Action, update.Name, update.Id));
        Assert.Equal(["Env"], update.Fields);
        Assert.Equal(["Env: MODE changed"], update.Changes.Select(c => c.Describe()));
        Assert.False(update.LabelsOnly);
    }

    [Fact]
    public void HandChange_UnderAnEqualHashLabel_IsDrift_ToCorrect()
    {
        var plan = Plan();
        var result = SwarmPlanner.Plan(plan, Deployed(plan, s =>
        {
            if (s.Mode?.Replicated is { } replicated)
            {
                replicated.Replicas = 3;
                s.TaskTemplate!.ContainerSpec!.Env = [.. s.TaskTemplate.ContainerSpec.Env!, "FOO=bar"];
            }
        }), prune: false);

        var update = Assert.Single(result.Changes);
        Assert.Equal("demo_web", update.Name);
        Assert.Equal(["Env", "Replicas"], update.Fields);
        Assert.Equal(["Env: FOO removed", "Replicas: 3 → 1"], update.Changes.Select(c => c.Describe()));
        Assert.False(update.LabelsOnly);
        Assert.Equal(["demo_job"], result.UnchangedServices);
    }

    [Fact]
    public void TakeoverOfAnEqualSpecWithoutBerthsLabel_IsALabelOnlyUpdate_ExceptForJobs()
    {
        // docker stack deploy writes the same spec without io.berth.spec-hash.
        var plan = Plan();
        var result = SwarmPlanner.Plan(plan, Deployed(plan, s => s.Labels.Remove(SwarmLabels.SpecHash)), prune: false);

        var update = Assert.Single(result.Changes);
        Assert.Equal(("demo_web", ChangeAction.Update), (update.Name, update.Action));
        Assert.True(update.LabelsOnly);
        Assert.Equal(["Labels"], update.Fields);
        Assert.Equal([$"Labels: {SwarmLabels.SpecHash}={plan.Services.Single(s => s.Name == "demo_web").SpecHash} added"], update.Changes.Select(c => c.Describe()));

        // A job runs again on any update: an equal job spec is left alone.
        Assert.Equal(["demo_job"], result.UnchangedServices);
    }

    [Fact]
    public void OldHashOnAnEqualSpec_IsALabelOnlyUpdate()
    {
        var plan = Plan();
        var result = SwarmPlanner.Plan(plan, Deployed(plan, s => s.Labels[SwarmLabels.SpecHash] = "0123456789abcdef"), prune: false);
        var update = Assert.Single(result.Changes);
        Assert.True(update.LabelsOnly);
        Assert.Equal($"Labels: {SwarmLabels.SpecHash}=0123456789abcdef → {SwarmLabels.SpecHash}={plan.Services.Single(s => s.Name == "demo_web").SpecHash}", Assert.Single(update.Changes).Describe());
    }

    [Fact]
    public void ServiceNotInTheFile_IsRemovedOnlyWithPrune()
    {
        var full = Plan();
        var state = Deployed(full);
        var webOnly = Plan(App[..App.IndexOf("  job:", StringComparison.Ordinal)] + "secrets:\n  token: {environment: TOKEN}\n");

        Assert.False(SwarmPlanner.Plan(webOnly, state, prune: false).HasChanges);
        var removal = Assert.Single(SwarmPlanner.Plan(webOnly, state, prune: true).Changes);
        Assert.Equal((ChangeAction.Remove, "service", "demo_job", "not in the file", "id-demo_job"), (removal.Action, removal.Kind, removal.Name, removal.Reason, removal.Id));
    }

    [Fact]
    public void NewSecretContent_CreatesTheNewVersion_UpdatesTheService_RemovesTheOldVersion()
    {
        var old = Plan();
        var plan = SwarmConverterTests.Plan(App, ("TOKEN", "another-value"));
        var result = SwarmPlanner.Plan(plan, Deployed(old), prune: false);

        Assert.Equal(
            [$"create secret {plan.Secrets[0].Name}", "update service demo_web", $"remove secret {old.Secrets[0].Name} (old version)"],
            result.Changes.Select(c => $"{c.Action.ToString().ToLowerInvariant()} {c.Kind} {c.Name}" + (c.Reason is { } r ? $" ({r})" : string.Empty)));
        Assert.Equal($"Secrets: {old.Secrets[0].Name} → {plan.Secrets[0].Name}", Assert.Single(result.Changes[1].Changes).Describe());
    }

    [Fact]
    public void ServiceOfTheSameNameWithoutTheStackLabel_IsACollision()
    {
        var plan = Plan();
        var foreign = new ServiceSpec { Name = "demo_web", Labels = new Dictionary<string, string>(StringComparer.Ordinal) };
        var state = new SwarmState([Live(foreign, "x")], [], [], []);
        var error = Assert.Throws<SwarmEngineException>(() => SwarmPlanner.Plan(plan, state, prune: false));
        Assert.Contains("service demo_web exists but does not belong to stack demo", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("nothing was changed: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingExternalNetwork_AndAPortHeldByAnotherService_AreCollisions()
    {
        var plan = Plan("""
            services:
              web: {image: berth-test/busybox:1, ports: ["8080:80"], networks: [outside]}
            networks:
              outside: {external: true}
            """);
        var holder = new SwarmService
        {
            ID = "other",
            Spec = new ServiceSpec { Name = "other_web", Labels = new Dictionary<string, string>(StringComparer.Ordinal) },
            Endpoint = new Endpoint { Ports = [new PortConfig { PublishedPort = 8080, Protocol = "tcp", PublishMode = "ingress", TargetPort = 80 }] },
        };

        var error = Assert.Throws<SwarmEngineException>(() => SwarmPlanner.Plan(plan, new SwarmState([holder], [], [], []), prune: false));
        Assert.Contains("network \"outside\" is declared as external, but could not be found", error.Message, StringComparison.Ordinal);
        Assert.Contains("port 8080/tcp of service demo_web is already published by service other_web", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prune_RemovesTheStacksSecretsConfigsAndNetworksTheFileNoLongerNames_NothingOfAnotherStack()
    {
        var plan = Plan();
        var other = new Dictionary<string, string>(StringComparer.Ordinal) { ["com.docker.stack.namespace"] = "other" };
        Dictionary<string, string> Demo(string resource) => new(s_stackLabel, StringComparer.Ordinal) { ["io.berth.resource"] = resource };
        var state = new SwarmState(
            [.. plan.Services.Select(s => Live(SpecDiffTests.Stored(s.Spec), "id-" + s.Name))],
            [
                new NetworkResponse { ID = SpecDiffTests.NetworkId, Name = "demo_default", Scope = "swarm", Labels = s_stackLabel },
                new NetworkResponse { ID = "n-back", Name = "demo_back", Scope = "swarm", Labels = s_stackLabel },
                new NetworkResponse { ID = "n-other", Name = "other_default", Scope = "swarm", Labels = other },
                new NetworkResponse { ID = "n-plain", Name = "demo_lookalike", Scope = "swarm", Labels = new Dictionary<string, string>(StringComparer.Ordinal) },
            ],
            [
                .. plan.Secrets.Select(s => new Secret { ID = "id-" + s.Name, Spec = s.Spec! }),
                new Secret { ID = "x-legacy", Spec = new SwarmSecretSpec { Name = "demo_legacy-1", Labels = Demo("legacy") } },
                new Secret { ID = "x-other", Spec = new SwarmSecretSpec { Name = "other_token-1", Labels = other } },
            ],
            [
                new SwarmConfig { ID = "c-old", Spec = new SwarmConfigSpec { Name = "demo_nginx-1", Labels = Demo("nginx") } },
                new SwarmConfig { ID = "c-other", Spec = new SwarmConfigSpec { Name = "other_nginx-1", Labels = other } },
            ]);

        Assert.False(SwarmPlanner.Plan(plan, state, prune: false).HasChanges);
        Assert.Equal(
            ["remove secret demo_legacy-1 x-legacy", "remove config demo_nginx-1 c-old", "remove network demo_back n-back"],
            SwarmPlanner.Plan(plan, state, prune: true).Changes.Select(c => $"{c.Action.ToString().ToLowerInvariant()} {c.Kind} {c.Name} {c.Id}"));
    }

    [Fact]
    public void MissingExternalSecretAndConfig_AreCollisions()
    {
        var plan = Plan("""
            services:
              web: {image: berth-test/busybox:1, secrets: [vault], configs: [site]}
            secrets:
              vault: {external: true}
            configs:
              site: {external: true, name: shared_site}
            """);

        var error = Assert.Throws<SwarmEngineException>(() => SwarmPlanner.Plan(plan, Empty(), prune: false));

        Assert.StartsWith("nothing was changed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("secret vault is declared as external, but could not be found", error.Message, StringComparison.Ordinal);
        Assert.Contains("config shared_site is declared as external, but could not be found", error.Message, StringComparison.Ordinal);
    }
}
