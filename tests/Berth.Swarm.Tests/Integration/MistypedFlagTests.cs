using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Against the REAL engine: a mistyped flag on <c>berth stack rm</c> is a usage error and the stack stays. Before the
/// check, <c>rm --dry-run STACK</c> took '--dry-run' as a second stack name and removed STACK.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class MistypedFlagTests
{
    public MistypedFlagTests() => Engine.RequireSwarmManager();

    [Fact]
    public void RmWithAnUnknownFlag_RemovesNothing()
    {
        var stack = Engine.NewStackName("bf");
        try
        {
            var dir = SwarmEngineTests.WriteProject("services:\n  web:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n");
            var deploy = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--detach", "--resolve-image", "never", stack);
            Assert.True(deploy.ExitCode == 0, deploy.ToString());
            Assert.Equal(1, SwarmEngineTests.CountLabelled("service", stack));

            var rm = Engine.Berth(dir, null, "stack", "rm", "--dry-run", stack);

            Assert.True(rm.ExitCode == 2, rm.ToString());
            Assert.Equal($"berth: unknown flag: --dry-run\nRun 'berth stack rm --help' for usage.\n", rm.Stderr);
            Assert.Equal(string.Empty, rm.Stdout);
            Assert.Equal(0, Engine.Docker("service", "inspect", $"{stack}_web").ExitCode);
            Assert.Equal(1, SwarmEngineTests.CountLabelled("service", stack));
            Assert.Equal(1, SwarmEngineTests.CountLabelled("network", stack));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }
}
