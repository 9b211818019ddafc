using Berth.Stacks.Events;

namespace Berth.StackService.Tests;

/// <summary><see cref="IStackService.ScaleAsync"/> on the real Swarm engine: up and down with the convergence wait, refusals before any write.</summary>
public sealed class SwarmStackScaleTests
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
          agent:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            deploy: {mode: global}
          migrate:
            image: berth-test/busybox:1
            command: ["true"]
            deploy: {mode: replicated-job}
        """;

    public SwarmStackScaleTests() => Docker.RequireSwarmManager();

    [Fact]
    public async Task Scale_UpWaitsForEveryReplica_DownToo_AndBadTargetsWriteNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = Docker.NewStackName("lscale");
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
            var version = Version(stack + "_web");

            // One bad target among good ones: nothing is written.
            var refused = await service.ScaleAsync(stack, [new("web", 3), new("agent", 2), new("migrate", 2), new("nosuch", 1)], new StackScaleOptions(), new RecordingSink(), ct);
            Assert.True(refused.Invalid);
            Assert.Equal(0, refused.Writes);
            Assert.Equal(["agent", "migrate", "nosuch"], refused.Refused.Select(r => r.Service));
            Assert.Contains("global service", refused.Refused[0].Reason, StringComparison.Ordinal);
            Assert.Contains("a job", refused.Refused[1].Reason, StringComparison.Ordinal);
            Assert.Equal($"no service nosuch in stack {stack}", refused.Refused[2].Reason);
            Assert.Equal(["agent", "migrate", "web"], refused.Services);
            Assert.Equal(version, Version(stack + "_web"));

            var sink = new RecordingSink();
            var options = new StackScaleOptions { Stability = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(90) };
            var up = await service.ScaleAsync(stack, [new($"{stack}_web", 3)], options, sink, ct);
            Assert.True(up.Converged, string.Join('\n', up.Failures));
            Assert.Equal([new StackScaled("web", stack + "_web", 1, 3)], up.Scaled);
            Assert.Equal(1, up.Writes);
            var writing = Assert.Single(sink.Events.OfType<ObjectWriting>());
            Assert.Equal((ObjectStep.Update, "service", stack + "_web", "replicas"), (writing.Step, writing.Kind, writing.Name, string.Join(',', writing.Fields)));
            var finished = Assert.IsType<ConvergenceFinished>(sink.Events[^1]);
            Assert.Equal((3UL, 3UL), (Assert.Single(finished.Services).Running, finished.Services[0].Desired));
            Assert.Equal("3", Docker.Run("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", stack + "_web").Stdout.Trim());
            Assert.Equal(3, Docker.Run("service", "ps", "-q", "--filter", "desired-state=running", stack + "_web").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

            // Already at the count: no write.
            var same = await service.ScaleAsync(stack, [new("web", 3)], options with { Detach = true }, new RecordingSink(), ct);
            Assert.Equal(0, same.Writes);
            Assert.True(Assert.Single(same.Scaled).Unchanged);

            var down = await service.ScaleAsync(stack, [new("web", 0)], options, new RecordingSink(), ct);
            Assert.True(down.Converged, string.Join('\n', down.Failures));
            Assert.Equal([new StackScaled("web", stack + "_web", 3, 0)], down.Scaled);
            Assert.Equal("0", Docker.Run("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}}", stack + "_web").Stdout.Trim());

            // The engine stops the surplus tasks on its own schedule: bounded wait for none to be desired running.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (Docker.Run("service", "ps", "-q", "--filter", "desired-state=running", stack + "_web").Stdout.Trim().Length > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "tasks still desired running 30s after scaling to 0");
                await Task.Delay(250, ct);
            }
        }
        finally
        {
            Docker.RemoveStack(stack);
        }
    }

    private static string Version(string service) => Docker.Run("service", "inspect", "--format", "{{.Version.Index}}", service).Stdout.Trim();
}
