using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary><c>berth stack logs</c> (a real process) against the REAL engine, compared with <c>docker service logs</c>.</summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class StackLogsCliTests
{
    private const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sh", "-c", "echo out one; echo err one >&2; sleep 3600"]
            deploy: {replicas: 2}
        """;

    public StackLogsCliTests() => Engine.RequireSwarmManager();

    [Fact]
    public void Logs_PrefixesSlotLikeDockerCompose_WithTheMessagesDockerServiceLogsShows()
    {
        var stack = Engine.NewStackName("blg");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Compose);
            var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--stability", "1s", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());

            // Log delivery is asynchronous: bounded wait for the 4 lines.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            Engine.Result logs;
            while ((logs = Engine.Berth(dir, null, "stack", "logs", stack)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length < 4)
            {
                Assert.True(DateTime.UtcNow < deadline, logs.ToString());
                Thread.Sleep(250);
            }

            Assert.True(logs.ExitCode == 0, logs.ToString());
            var lines = Engine.Lines(logs.Stdout);
            Assert.Equal(["web-1        | err one", "web-1        | out one", "web-2        | err one", "web-2        | out one"], lines.Order(StringComparer.Ordinal));
            var docker = Engine.Docker("service", "logs", "--raw", stack + "_web");
            Assert.Equal(
                Engine.Lines(docker.Stdout + docker.Stderr).Order(StringComparer.Ordinal),
                lines.Select(l => l[(l.IndexOf('|', StringComparison.Ordinal) + 2)..]).Order(StringComparer.Ordinal));

            // An unknown service is invalid input (exit 1), as docker service logs answers it.
            var unknown = Engine.Berth(dir, null, "stack", "logs", stack, "nosuch");
            Assert.Equal((1, $"berth stack logs: no service nosuch in stack {stack} (services: web)"), (unknown.ExitCode, unknown.Stderr.Trim()));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }
}
