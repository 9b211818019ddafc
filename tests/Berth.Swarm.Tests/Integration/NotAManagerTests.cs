using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Every stack command against an engine that is not a Swarm manager says so in Berth's own words, with the node's
/// Swarm state and a hint, and exits 3. The engine is a loopback stand-in answering as dockerd does outside Swarm
/// mode (the real engine here must stay a manager); the real berth command runs against it.
/// </summary>
public sealed class NotAManagerTests
{
    [Theory]
    [InlineData("ls")]
    [InlineData("services", "s")]
    [InlineData("ps", "s")]
    [InlineData("rm", "s")]
    public async Task Reads_OnANodeThatIsNotAManager_SayItWithAHint(params string[] verb)
    {
        await using var engine = FakeEngine.NotASwarmManager();

        var result = Engine.Berth(Path.GetTempPath(), new Dictionary<string, string> { ["DOCKER_HOST"] = engine.Host }, ["stack", .. verb]);

        Assert.True(result.ExitCode == 3, result.ToString());
        var lines = Engine.Lines(result.Stderr);
        Assert.Equal($"berth stack {verb[0]}: this node is not a swarm manager (swarm state: inactive)", lines[0]);
        Assert.Equal("hint: use \"docker swarm init\" or \"docker swarm join\" to connect this node to a swarm, or point DOCKER_HOST at a manager", lines[1]);
        Assert.Equal(2, lines.Length);
        Assert.Contains(engine.Requests, r => FakeEngine.Unversioned(r.Path) == "/info");
    }

    [Fact]
    public async Task DetachedDeploy_OnANodeThatIsNotAManager_SaysIt_AndWritesNothing()
    {
        await using var engine = FakeEngine.NotASwarmManager();
        var dir = SwarmEngineTests.WriteProject("services:\n  web:\n    image: berth-test/busybox:1\n");
        try
        {
            var result = Engine.Berth(dir, new Dictionary<string, string> { ["DOCKER_HOST"] = engine.Host }, "stack", "deploy", "--detach", "-c", "compose.yaml", "s");

            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.StartsWith("berth stack deploy: this node is not a swarm manager (swarm state: inactive)\nhint: use \"docker swarm init\"", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(engine.Requests, r => r.Method != "GET" && r.Method != "HEAD");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
