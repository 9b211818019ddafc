using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Against the REAL engine: stacks made by `docker stack deploy` are Berth's to list, update and remove, and the
/// reverse, because both use docker's names and the com.docker.stack.namespace label.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class InteroperabilityTests
{
    private const string File = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            environment: {MODE: one}
        """;

    public InteroperabilityTests() => Engine.RequireSwarmManager();

    [Fact]
    public void DockerStack_IsListedUpdatedAndRemovedByBerth()
    {
        var stack = Engine.NewStackName("ia");
        var dir = SwarmEngineTests.WriteProject(File);
        try
        {
            var deployed = Engine.DockerIn(dir, "stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", stack);
            Assert.True(deployed.ExitCode == 0, deployed.ToString());

            var listed = Engine.Berth(dir, null, "stack", "ls", "--format", "json");
            Assert.True(listed.ExitCode == 0, listed.ToString());
            Assert.Contains($"\"{stack}\"", listed.Stdout, StringComparison.Ordinal);

            System.IO.File.WriteAllText(Path.Combine(dir, "compose.yaml"), File.Replace("MODE: one", "MODE: two", StringComparison.Ordinal));
            var updated = Engine.Berth(dir, null, "stack", "deploy", "--detach", "-c", "compose.yaml", stack);
            Assert.True(updated.ExitCode == 0, updated.ToString());
            var env = Engine.Docker("service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", $"{stack}_web");
            Assert.Contains("MODE=two", env.Stdout, StringComparison.Ordinal);
            Assert.Single(Engine.Lines(Engine.Docker("service", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout));

            var removed = Engine.Berth(dir, null, "stack", "rm", "--wait", stack);
            Assert.True(removed.ExitCode == 0, removed.ToString());
            Assert.Empty(Engine.Lines(Engine.Docker("service", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void BerthStack_IsListedAndRemovedByDockerStack()
    {
        var stack = Engine.NewStackName("ib");
        var dir = SwarmEngineTests.WriteProject(File);
        try
        {
            var deployed = Engine.Berth(dir, null, "stack", "deploy", "--detach", "-c", "compose.yaml", stack);
            Assert.True(deployed.ExitCode == 0, deployed.ToString());

            var listed = Engine.Docker("stack", "ls", "--format", "{{.Name}} {{.Services}}");
            Assert.Contains($"{stack} 1", Engine.Lines(listed.Stdout));
            var services = Engine.Docker("stack", "services", "--format", "{{.Name}}", stack);
            Assert.Equal([$"{stack}_web"], Engine.Lines(services.Stdout));

            var removed = Engine.Docker("stack", "rm", stack);
            Assert.True(removed.ExitCode == 0, removed.ToString());
            Assert.Empty(Engine.Lines(Engine.Docker("service", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }
}
