using System.Text.Json.Nodes;

namespace Berth.StackService.Tests;

/// <summary>History and rollback against the real Swarm engine: revisions are configs of the stack, docker's own views unaffected.</summary>
public sealed class SwarmHistoryTests
{
    public SwarmHistoryTests() => Docker.RequireSwarmManager();

    private static string Compose(string greeting, int replicas) => $$"""
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            environment: {GREETING: {{greeting}}}
            deploy: {replicas: {{replicas}}}
            configs: [motd]
            secrets: [token]
        configs:
          motd: {file: ./motd.txt}
        secrets:
          token: {file: ./token.txt}
        """;

    [Fact]
    public async Task ThreeDeploys_ThenRollbackToTheFirst_GivesTheFirstSpecFieldByField_AndRmRemovesTheHistory()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = Docker.NewStackName("hist");
        var dir = Directory.CreateTempSubdirectory("berth-history-swarm-").FullName;
        File.WriteAllText(Path.Combine(dir, "token.txt"), "swarm-s3cr3t");
        using var service = StackServices.Swarm(Environment.GetEnvironmentVariable);
        try
        {
            File.WriteAllText(Path.Combine(dir, "motd.txt"), "first");
            Assert.Equal(1, (await Deploy(service, dir, stack, Compose("one", 1), ct)).Revision);
            var firstSpec = Spec($"{stack}_web");
            File.WriteAllText(Path.Combine(dir, "motd.txt"), "second");
            Assert.Equal(2, (await Deploy(service, dir, stack, Compose("two", 2), ct)).Revision);
            File.WriteAllText(Path.Combine(dir, "motd.txt"), "third");
            Assert.Equal(3, (await Deploy(service, dir, stack, Compose("three", 1), ct)).Revision);

            var history = await service.HistoryAsync(stack, ct);
            Assert.Equal([1, 2, 3], history.Revisions.Select(r => r.Revision));
            Assert.All(history.Revisions, r => Assert.Equal(Environment.UserName, r.DeployedBy));
            Assert.Equal(Path.Combine(dir, "compose.yaml"), history.Revisions[0].Sources.Single().Path);

            // docker's own views: the revision configs are no service, and no record holds the secret's value.
            Assert.Equal($"{stack}_web", Docker.Run("stack", "services", stack, "--format", "{{.Name}}").Stdout.Trim());
            var configs = Docker.Run("config", "ls", "--filter", "label=berth.io/stack-revision", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([$"{stack}_berth-revision-1", $"{stack}_berth-revision-2", $"{stack}_berth-revision-3"], configs.Order(StringComparer.Ordinal));
            var data = Docker.Run("config", "inspect", $"{stack}_berth-revision-1", "--format", "{{json .Spec.Data}}").Stdout.Trim().Trim('"');
            Assert.DoesNotContain("swarm-s3cr3t", KubernetesHistoryTests.Gunzip(Convert.FromBase64String(data)), StringComparison.Ordinal);

            // The motd file changed since revision 1: its stored content is deployed, not the file's.
            var target = await service.PrepareRollbackAsync(stack, 1, ct);
            var plan = await service.PlanAsync(target.Request, new RecordingSink(), ct);
            Assert.Contains(plan.Changes, c => c.Action == "update" && c.Name == $"{stack}_web");
            var rolledBack = await service.DeployAsync(target.Request with { ResolveImage = Berth.Swarm.Apply.ImageResolution.Never, Stability = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(90) }, new RecordingSink(), ct);
            Assert.True(rolledBack.Converged, string.Join('\n', rolledBack.Failures));
            Assert.Equal(4, rolledBack.Revision);

            var now = Spec($"{stack}_web");
            foreach (var field in firstSpec.Select(p => p.Key).Union(now.Select(p => p.Key)))
            {
                Assert.True(JsonNode.DeepEquals(firstSpec[field], now[field]), $"{field}: {firstSpec[field]?.ToJsonString()} != {now[field]?.ToJsonString()}");
            }

            Assert.Equal("rollback to 1", (await service.HistoryAsync(stack, ct)).Revisions[^1].Note);

            await service.RemoveAsync(stack, new StackRemoveOptions(), new RecordingSink(), ct);
            Assert.Equal(string.Empty, Docker.Run("config", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout.Trim());
        }
        finally
        {
            Docker.RemoveStack(stack);
            Docker.Run("config", "rm", $"{stack}_berth-revision-1", $"{stack}_berth-revision-2", $"{stack}_berth-revision-3", $"{stack}_berth-revision-4");
        }
    }

    [Fact]
    public async Task ADockerMadeStack_HasNoHistory_AndSaysSo()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = Docker.NewStackName("hdock");
        var dir = Directory.CreateTempSubdirectory("berth-history-docker-").FullName;
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), "services:\n  web:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n");
        using var service = StackServices.Swarm(Environment.GetEnvironmentVariable);
        try
        {
            Assert.Equal(0, Docker.Run("stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", Path.Combine(dir, "compose.yaml"), stack).ExitCode);

            var history = await service.HistoryAsync(stack, ct);

            Assert.Empty(history.Revisions);
            Assert.True(history.StackExists);
            var error = await Assert.ThrowsAsync<StackHistoryException>(() => service.PrepareRollbackAsync(stack, null, ct));
            Assert.Equal($"stack {stack} has no history: it was deployed by 'docker stack deploy' or by a Berth without history", error.Message);
            Assert.Equal(string.Empty, Docker.Run("config", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout.Trim());
        }
        finally
        {
            Docker.RemoveStack(stack);
        }
    }

    private static async Task<StackDeployResult> Deploy(IStackService service, string dir, string stack, string yaml, CancellationToken ct)
    {
        var result = await service.DeployAsync(new StackDeployRequest(stack, Projects.LoadIn(dir, stack, yaml))
        {
            ResolveImage = Berth.Swarm.Apply.ImageResolution.Never,
            Stability = TimeSpan.FromSeconds(1),
            Timeout = TimeSpan.FromSeconds(90),
        }, new RecordingSink(), ct);
        Assert.True(result.Converged, string.Join('\n', result.Failures));
        return result;
    }

    /// <summary>The service's spec as the engine stores it, without the secret/config IDs (a recreated config of the same content has a new ID).</summary>
    private static JsonObject Spec(string name)
    {
        var spec = JsonNode.Parse(Docker.Run("service", "inspect", name, "--format", "{{json .Spec}}").Stdout)!.AsObject();
        foreach (var list in new[] { "Configs", "Secrets" })
        {
            foreach (var item in spec["TaskTemplate"]?["ContainerSpec"]?[list]?.AsArray() ?? [])
            {
                item!.AsObject().Remove(list == "Configs" ? "ConfigID" : "SecretID");
            }
        }

        return spec;
    }
}
