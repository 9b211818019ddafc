using Berth.Swarm.Tests.Support;
using Berth.Testing;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// <c>--resolve-image always</c> on a running stack, against the REAL engine and a real registry on 127.0.0.1
/// (<see cref="RegistryServer"/>; the engine asks it through distribution inspect): a tag pushed again with another
/// image is shown by <c>berth stack diff</c> as an image change and written by <c>berth stack deploy</c>; a tag that did
/// not move is no change (no write); <c>--resolve-image never</c> does not look.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class MovedTagCliTests
{
    public MovedTagCliTests() => Engine.RequireSwarmManager();

    private static string LiveImage(string stack)
        => Engine.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", $"{stack}_web").Stdout.Trim();

    [Fact]
    public async Task ATagMovedToAnotherDigest_IsAChangeInDiff_AndDeployPinsTheNewDigest()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await RegistryServer.StartAnonymousAsync(ct);
        var images = new RegistryImages();
        var stack = Engine.NewStackName("bmt");
        try
        {
            var image = $"{registry.Host}/berth/moved:1";
            var first = images.Push(RegistryImages.Busybox, image);
            var dir = SwarmEngineTests.WriteProject($$"""
                services:
                  web:
                    image: {{image}}
                    command: ["sleep", "3600"]
                """);

            var deployed = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "always", "--detach", stack);
            Assert.True(deployed.ExitCode == 0, deployed.ToString());
            Assert.Equal($"{image}@{first}", LiveImage(stack));

            var unmoved = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", "--exit-code", stack);
            Assert.True(unmoved.ExitCode == 0, unmoved.ToString());

            var second = images.Push(images.CreateUnique($"berth-test/moved-{stack}:1"), image);
            Assert.NotEqual(first, second);

            var moved = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", "--exit-code", stack);
            Assert.True(moved.ExitCode == 1, moved.ToString());
            Assert.Contains("web", moved.Stdout, StringComparison.Ordinal);
            var json = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", "--format", "json", stack);
            Assert.True(json.ExitCode == 0, json.ToString());
            Assert.Contains(first, json.Stdout, StringComparison.Ordinal);
            Assert.Contains(second, json.Stdout, StringComparison.Ordinal);

            // Without looking, the running pin and the written tag are the same reference: nothing to do.
            var notLooked = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", "--exit-code", "--resolve-image", "never", stack);
            Assert.True(notLooked.ExitCode == 0, notLooked.ToString());

            var redeployed = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "always", "--detach", stack);
            Assert.True(redeployed.ExitCode == 0, redeployed.ToString());
            Assert.Equal($"{image}@{second}", LiveImage(stack));

            var settled = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", "--exit-code", stack);
            Assert.True(settled.ExitCode == 0, settled.ToString());
        }
        finally
        {
            Engine.RemoveStack(stack);
            images.RemoveTags();
        }
    }
}
