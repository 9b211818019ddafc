namespace Berth.StackService.Tests;

/// <summary><see cref="IStackService.LogsAsync"/> on the real Swarm engine: merged in time order with slot and stream, and --follow picking up a restarted task.</summary>
public sealed class SwarmStackLogsTests
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sh", "-c", "echo out $$(hostname); echo err $$(hostname) >&2; sleep 3600"]
            deploy: {replicas: 2}
          once:
            image: berth-test/busybox:1
            command: ["sh", "-c", "echo hello from once; sleep 3600"]
        """;

    public SwarmStackLogsTests() => Docker.RequireSwarmManager();

    [Fact]
    public async Task Logs_MergesServicesInTimeOrder_WithSlotAndStream_AndFollowPicksUpARestartedTask()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = Docker.NewStackName("llogs");
        using var service = StackServices.Swarm(Environment.GetEnvironmentVariable);
        try
        {
            var deployed = await service.DeployAsync(new StackDeployRequest(stack, Projects.Load(stack, Compose))
            {
                ResolveImage = Berth.Swarm.Apply.ImageResolution.Never,
                Stability = TimeSpan.FromSeconds(1),
                Timeout = TimeSpan.FromSeconds(90),
            }, new RecordingSink(), ct);
            Assert.True(deployed.Converged, string.Join('\n', deployed.Failures));

            // The engine's log delivery is asynchronous: bounded wait until the 5 lines are there.
            List<StackLogLine> lines = [];
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (lines.Count < 5)
            {
                Assert.True(DateTime.UtcNow < deadline, "log lines: " + string.Join('\n', lines));
                await Task.Delay(250, ct);
                lines = [];
                await foreach (var line in service.LogsAsync(stack, new StackLogOptions(), ct))
                {
                    lines.Add(line);
                }
            }

            Assert.Equal(5, lines.Count);
            Assert.Equal(lines.OrderBy(l => l.Time).ToList(), lines);
            Assert.Contains(lines, l => l is { Service: "once", Replica: "1", Stream: "stdout", Message: "hello from once" });
            Assert.Equal(["1", "1", "2", "2"], lines.Where(l => l.Service == "web").Select(l => l.Replica).Order());
            Assert.Equal(2, lines.Count(l => l is { Service: "web", Stream: "stderr" } && l.Message.StartsWith("err ", StringComparison.Ordinal)));

            // The same messages as docker service logs shows for the service.
            var docker = Docker.Run("service", "logs", "--raw", stack + "_once").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(docker, lines.Where(l => l.Service == "once").Select(l => l.Message));

            var only = new List<StackLogLine>();
            await foreach (var line in service.LogsAsync(stack, new StackLogOptions { Services = ["web"], Tail = 0 }, ct))
            {
                only.Add(line);
            }

            Assert.Empty(only);
            await Assert.ThrowsAsync<StackInputException>(async () =>
            {
                await foreach (var line in service.LogsAsync(stack, new StackLogOptions { Services = ["nosuch"] }, ct))
                {
                    Assert.Fail(line.Message);
                }
            });

            // Follow: a restarted task of "once" prints its line again and the open stream delivers it. Since, not
            // --tail 0: the engine applies the tail to each new task's log when its reader attaches, so a line the task
            // printed before that is cut (docker service logs -f --tail 0 misses it the same way).
            var since = DateTimeOffset.UtcNow;
            using var follow = CancellationTokenSource.CreateLinkedTokenSource(ct);
            follow.CancelAfter(TimeSpan.FromSeconds(60));
            var followed = new List<StackLogLine>();
            var reading = Task.Run(async () =>
            {
                await foreach (var line in service.LogsAsync(stack, new StackLogOptions { Services = ["once"], Follow = true, Since = since }, follow.Token))
                {
                    followed.Add(line);
                    await follow.CancelAsync();
                }
            }, ct);
            await Task.Delay(1000, ct);
            Assert.Equal(0, Docker.Run("service", "update", "--force", "--detach", stack + "_once").ExitCode);
            await reading;
            var restarted = Assert.Single(followed);
            Assert.Equal(("once", "1", "hello from once"), (restarted.Service, restarted.Replica, restarted.Message));
        }
        finally
        {
            Docker.RemoveStack(stack);
        }
    }
}
