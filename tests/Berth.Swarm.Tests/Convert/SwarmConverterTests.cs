using System.Collections.Immutable;
using Berth.Compose.Loading;
using Berth.Swarm.Convert;

namespace Berth.Swarm.Tests.Convert;

public sealed class SwarmConverterTests
{
    [Theory]
    [InlineData("busybox", "busybox:latest")]
    [InlineData("busybox:1", "busybox:1")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest")]
    [InlineData("localhost:5000/app:2", "localhost:5000/app:2")]
    [InlineData("app@sha256:abc", "app@sha256:abc")]
    public void WithDefaultTag_AddsLatestOnlyWithoutTagOrDigest(string image, string expected)
        => Assert.Equal(expected, SwarmConverter.WithDefaultTag(image));

    [Fact]
    public void Capabilities_AreNormalisedLikeDocker()
        => Assert.Equal(["CAP_NET_ADMIN", "ALL", "CAP_SYS_TIME"], SwarmConverter.Capabilities(["net_admin", "all", "CAP_SYS_TIME", "NET_ADMIN"]));

    [Theory]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("0s", 0)]
    [InlineData("1h", 3_600_000)]
    public void GoDuration_ParsesCanonicalDurations(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Fact]
    public void Convert_SameInputTwice_GivesTheSameSpecHash()
    {
        var a = Plan("services: {web: {image: x, environment: {B: '2', A: '1'}}}");
        var b = Plan("services: {web: {image: x, environment: {A: '1', B: '2'}}}");
        Assert.Equal(a.Services[0].SpecHash, b.Services[0].SpecHash);
        Assert.Equal(["A=1", "B=2"], a.Services[0].Spec.TaskTemplate!.ContainerSpec!.Env!);
    }

    [Fact]
    public void Convert_ChangedSecretContent_GivesANewSecretNameAndServiceHash()
    {
        const string yaml = "services: {web: {image: x, secrets: [s]}}\nsecrets: {s: {environment: S}}";
        var one = Plan(yaml, ("S", "one"));
        var two = Plan(yaml, ("S", "two"));
        Assert.StartsWith("demo_s_", one.Secrets[0].Name, StringComparison.Ordinal);
        Assert.NotEqual(one.Secrets[0].Name, two.Secrets[0].Name);
        Assert.NotEqual(one.Services[0].SpecHash, two.Services[0].SpecHash);
        Assert.Equal("demo_s", one.Secrets[0].Spec!.Labels[SwarmLabels.ResourceName]);
        // The logical file name in the container does not change with the content.
        Assert.Equal("s", one.Services[0].Spec.TaskTemplate!.ContainerSpec!.Secrets![0].File!.Name);
    }

    [Fact]
    public void Convert_UnsupportedKeys_AreWarningsWithFileAndLine()
    {
        var plan = Plan("services:\n  web:\n    image: x\n    privileged: true\n    devices: ['/dev/fuse']\n    network_mode: host\n");
        var codes = plan.Diagnostics.Select(d => (d.Code, d.Location.Line, d.YamlPath)).ToList();
        Assert.Contains((SwarmDiagnosticCodes.Unsupported, 4, "services.web.privileged"), codes);
        Assert.Contains((SwarmDiagnosticCodes.Unsupported, 5, "services.web.devices"), codes);
        Assert.Contains((SwarmDiagnosticCodes.Unsupported, 6, "services.web.network_mode"), codes);
        Assert.False(plan.HasErrors);
    }

    [Fact]
    public void Convert_ServiceWithoutImage_IsAnError()
    {
        var plan = Plan("services: {web: {build: .}}");
        Assert.Contains(plan.Diagnostics, d => d.Code == SwarmDiagnosticCodes.NoImage);
        Assert.True(plan.HasErrors);
    }

    [Fact]
    public void Convert_DefaultNetwork_IsAnOverlayScopedToTheStackWithTheServiceAlias()
    {
        var plan = Plan("services: {web: {image: x}}");
        var network = Assert.Single(plan.Networks);
        Assert.Equal("demo_default", network.Name);
        Assert.Equal("overlay", network.Create!.Driver);
        Assert.Equal("demo", network.Create.Labels["com.docker.stack.namespace"]);
        var attachment = Assert.Single(plan.Services[0].Spec.TaskTemplate!.Networks!);
        Assert.Equal("demo_default", attachment.Target);
        Assert.Equal(["web"], attachment.Aliases);
    }

    [Fact]
    public void Convert_RestartFallback_MapsOnFailureWithAttempts()
    {
        var plan = Plan("services: {web: {image: x, restart: 'on-failure:4'}}");
        var policy = plan.Services[0].Spec.TaskTemplate!.RestartPolicy!;
        Assert.Equal("on-failure", policy.Condition);
        Assert.Equal(4UL, policy.MaxAttempts);
    }

    internal static SwarmPlan Plan(string yaml, params (string Name, string Value)[] environment)
    {
        var dir = Directory.CreateTempSubdirectory("berth-swarm-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "compose.yaml"), yaml);
            var load = ProjectLoader.Load(new LoadOptions
            {
                Files = [Path.Combine(dir, "compose.yaml")],
                ProjectName = "demo",
                Environment = environment.ToDictionary(e => e.Name, e => e.Value).ToImmutableDictionary(),
            }, TestContext.Current.CancellationToken);
            Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
            return SwarmConverter.Convert(load.Project!, new SwarmConvertOptions { Stack = "demo", Contents = ResourceContentReader.Read(load.Project!) });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
