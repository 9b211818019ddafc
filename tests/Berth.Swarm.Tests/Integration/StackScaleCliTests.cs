using System.Text.Json;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// <c>berth stack scale</c> (a real process) against the REAL engine: up with the convergence wait, down with
/// <c>--format json</c>, refusals with nothing written, and a stack made by <c>docker stack deploy</c> next to it
/// left alone. Each test removes its stacks with the docker CLI.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class StackScaleCliTests
{
    private const string Image = "berth-test/busybox:1";

    private const string Compose = $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
          agent:
            image: {{Image}}
            command: ["sleep", "3600"]
            deploy: {mode: global}
        """;

    public StackScaleCliTests() => Engine.RequireSwarmManager();

    [Fact]
    public void Scale_UpAndDown_RefusalsWriteNothing_DockerMadeStackUnaffected()
    {
        var stack = Engine.NewStackName("bsc");
        var docker = Engine.NewStackName("dsc");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Compose);
            var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--stability", "1s", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());
            var made = Engine.DockerIn(dir, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--detach=true", docker);
            Assert.True(made.ExitCode == 0, made.ToString());
            var dockerVersion = SettledVersion(docker + "_web");
            var version = Inspect(stack + "_web", "{{.Version.Index}}");

            var refused = Engine.Berth(dir, null, "stack", "scale", stack, "web=2", "agent=2", "nosuch=1");
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Equal(
                [
                    "berth stack scale: agent is a global service (one task per node): it has no replica count",
                    $"berth stack scale: no service nosuch in stack {stack}",
                    $"berth stack scale: nothing was changed in stack {stack}",
                    $"hint: the services of stack {stack} are: agent, web",
                ],
                Engine.Lines(refused.Stderr));
            Assert.Equal(version, Inspect(stack + "_web", "{{.Version.Index}}"));

            var up = Engine.Berth(dir, null, "stack", "scale", stack, "web=3", "--stability", "1s", "--timeout", "90s");
            Assert.True(up.ExitCode == 0, up.ToString());
            var lines = Engine.Lines(up.Stdout);
            Assert.StartsWith($"Updating service {stack}_web (id: ", lines[0], StringComparison.Ordinal);
            Assert.EndsWith("): replicas", lines[0], StringComparison.Ordinal);
            Assert.Contains("1/1 services converged", lines);
            Assert.Equal("web scaled to 3 (was 1)", lines[^1]);
            Assert.Equal("3/3", Engine.Docker("service", "ls", "--filter", $"name={stack}_web", "--format", "{{.Replicas}}").Stdout.Trim());

            var down = Engine.Berth(dir, null, "stack", "scale", stack, "web=1", "--format", "json", "--detach");
            Assert.True(down.ExitCode == 0, down.ToString());
            using var json = JsonDocument.Parse(down.Stdout);
            var web = Assert.Single(json.RootElement.GetProperty("services").EnumerateArray().ToList());
            Assert.Equal(("web", $"{stack}_web", 3, 1), (web.GetProperty("service").GetString(), web.GetProperty("object").GetString(), web.GetProperty("from").GetInt32(), web.GetProperty("to").GetInt32()));
            Assert.Equal(("swarm", 1), (json.RootElement.GetProperty("orchestrator").GetString(), json.RootElement.GetProperty("writes").GetInt32()));
            Assert.Equal("1", Inspect(stack + "_web", "{{.Spec.Mode.Replicated.Replicas}}"));

            // The docker-made stack next to it: same service names under its own prefix, never touched.
            Assert.Equal(dockerVersion, Inspect(docker + "_web", "{{.Version.Index}}"));
            Assert.Equal("1", Inspect(docker + "_web", "{{.Spec.Mode.Replicated.Replicas}}"));

            // A docker-made stack is scaled like Berth's (names and labels are docker's).
            var theirs = Engine.Berth(dir, null, "stack", "scale", docker, "web=2", "--detach");
            Assert.True(theirs.ExitCode == 0, theirs.ToString());
            Assert.Equal("2", Inspect(docker + "_web", "{{.Spec.Mode.Replicated.Replicas}}"));
        }
        finally
        {
            Engine.RemoveStack(stack);
            Engine.RemoveStack(docker);
        }
    }

    /// <summary>
    /// The service's version once the engine's own writes after a detached create are done: the allocator writes the
    /// service again when it assigns the virtual IP (seconds later under load), which moves the version with no one
    /// else touching it. Settled: a VIP assigned and the version the same over a second.
    /// </summary>
    private static string SettledVersion(string service)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var version = Inspect(service, "{{.Version.Index}}");
        while (true)
        {
            Thread.Sleep(1000);
            var allocated = Inspect(service, "{{len .Endpoint.VirtualIPs}}") is not ("" or "0");
            var now = Inspect(service, "{{.Version.Index}}");
            if (allocated && now == version)
            {
                return version;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{service}: still changing (version {now}, VIP assigned: {allocated}) 60 s after the deploy");
            version = now;
        }
    }

    private static string Inspect(string service, string format) => Engine.Docker("service", "inspect", "--format", format, service).Stdout.Trim();
}
