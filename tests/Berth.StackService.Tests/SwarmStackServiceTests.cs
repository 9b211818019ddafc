using Berth.Stacks.Events;

namespace Berth.StackService.Tests;

/// <summary>
/// The Swarm stack service against the real engine (dockerd in Swarm mode, started by scripts/setup-swarm.sh):
/// typed results and the events, in order, of deploy, list, services, tasks and remove of a one-service stack.
/// </summary>
public sealed class SwarmStackServiceTests
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
        """;

    public SwarmStackServiceTests() => Docker.RequireSwarmManager();

    [Fact]
    public async Task DeployListServicesTasksRemove_TypedResultsAndEventsInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = Docker.NewStackName("layer");
        using var service = StackServices.Swarm(Environment.GetEnvironmentVariable);
        try
        {
            var request = new StackDeployRequest(stack, Projects.Load(stack, Compose))
            {
                ResolveImage = Berth.Swarm.Apply.ImageResolution.Never,
                Stability = TimeSpan.FromSeconds(1),
                Timeout = TimeSpan.FromSeconds(90),
            };
            var sink = new RecordingSink();

            var deployed = await service.DeployAsync(request, sink, ct);

            Assert.Equal(StackOrchestrator.Swarm, deployed.Orchestrator);
            Assert.True(deployed.Converged, string.Join('\n', deployed.Failures));
            Assert.Equal([$"{stack}_web"], deployed.Created);
            Assert.True(deployed.Writes >= 2, $"writes: {deployed.Writes}");
            var events = sink.Events;
            Assert.IsType<StackConverted>(events[0]);
            var network = IndexOf(events, e => e is ObjectWriting { Step: ObjectStep.Create, Kind: "network" } w && w.Name == $"{stack}_default");
            var created = IndexOf(events, e => e is ObjectWriting { Step: ObjectStep.Create, Kind: "service" } w && w.Name == $"{stack}_web");
            Assert.True(network > 0 && created > network, string.Join('\n', events));
            var finished = Assert.IsType<ConvergenceFinished>(events[^1]);
            Assert.True(finished.Converged);
            var web = Assert.Single(finished.Services);
            Assert.Equal((stack + "_web", 1UL, 1UL, true, false), (web.Name, web.Running, web.Desired, web.Done, web.Failed));
            Assert.All(events.Skip(created + 1).SkipLast(1), e => Assert.IsType<ServicesProgressed>(e));

            // An unchanged redeploy: no write, no write event, still checked.
            var again = new RecordingSink();
            var redeployed = await service.DeployAsync(request, again, ct);
            Assert.Equal(0, redeployed.Writes);
            Assert.Equal([$"{stack}_web"], redeployed.Unchanged);
            Assert.DoesNotContain(again.Events, e => e is ObjectWriting);
            Assert.True(Assert.IsType<ConvergenceFinished>(again.Events[^1]).Converged);

            var stacks = await service.ListAsync(new StackListOptions(), ct);
            Assert.Contains(new StackSummary(stack, 1, StackOrchestrator.Swarm, string.Empty), stacks);

            var info = Assert.Single(await service.ServicesAsync(stack, [], ct));
            Assert.Equal(($"{stack}_web", "replicated", new ReplicaCounts(1, 1), "berth-test/busybox:1", string.Empty, 12), (info.Name, info.Mode, info.Replicas, info.Image, info.Ports, info.Id.Length));
            Assert.Empty(await service.ServicesAsync(stack, ["name=nosuch"], ct));

            var task = Assert.Single(await service.TasksAsync(stack, ["desired-state=running"], ct));
            Assert.Equal(($"{stack}_web.1", "Running", "Running", "berth-test/busybox:1"), (task.Name, task.State, task.DesiredState, task.ListedImage));
            Assert.NotNull(task.StateSince);
            Assert.Null(task.Restarts);

            var removal = new RecordingSink();
            var removed = await service.RemoveAsync(stack, new StackRemoveOptions { Wait = true, Timeout = TimeSpan.FromSeconds(60) }, removal, ct);
            Assert.True(removed.Found);
            // Issue 10: rm also removes the stack's history (the revision config the deploy recorded).
            Assert.Equal([$"service {stack}_web", $"config {stack}_berth-revision-1", $"network {stack}_default"], removed.Removed);
            var removing = removal.Events.OfType<ObjectWriting>().ToList();
            Assert.Equal([(ObjectStep.Remove, "service", $"{stack}_web"), (ObjectStep.Remove, "config", $"{stack}_berth-revision-1"), (ObjectStep.Remove, "network", $"{stack}_default")], removing.Select(w => (w.Step, w.Kind, w.Name)));
            Assert.Equal(new StackRemoved(stack), removal.Events[^1]);
            Assert.Empty(await service.ServicesAsync(stack, [], ct));
            Assert.False((await service.RemoveAsync(stack, new StackRemoveOptions(), new RecordingSink(), ct)).Found);
        }
        finally
        {
            Docker.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task ABadFilter_IsAUsageError_BeforeAnyRequest_AndAnUnreachableEngineIsAnOrchestratorError()
    {
        var ct = TestContext.Current.CancellationToken;
        using var service = StackServices.Swarm(name => name == "DOCKER_HOST" ? "unix:///nonexistent/docker.sock" : null);

        var usage = await Assert.ThrowsAsync<StackUsageException>(() => service.ServicesAsync("app", ["colour=red"], ct));
        Assert.Equal("invalid filter 'colour': use one of id, label, mode, name", usage.Message);

        var unreachable = await Assert.ThrowsAsync<StackOrchestratorException>(() => service.ListAsync(new StackListOptions(), ct));
        Assert.Contains("cannot reach the Docker Engine at unix:///nonexistent/docker.sock", unreachable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStackThatCannotRunOnSwarm_IsInvalid_WithItsDiagnosticsPublished_AndNothingIsAsked()
    {
        var ct = TestContext.Current.CancellationToken;
        using var service = StackServices.Swarm(name => name == "DOCKER_HOST" ? "unix:///nonexistent/docker.sock" : null);
        var sink = new RecordingSink();

        var result = await service.DeployAsync(new StackDeployRequest("app", Projects.Load("app", "services:\n  web:\n    build: .\n")), sink, ct);

        Assert.True(result.Invalid);
        var converted = Assert.IsType<StackConverted>(Assert.Single(sink.Events));
        Assert.Contains(converted.Diagnostics, d => d.Severity == Berth.Compose.Diagnostics.Severity.Error);
    }

    private static int IndexOf(IReadOnlyList<StackEvent> events, Func<StackEvent, bool> match)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (match(events[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
