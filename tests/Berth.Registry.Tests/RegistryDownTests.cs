using System.Net;
using System.Net.Sockets;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>A registry that is down (stopped process, closed port) or silent: a clear failure result, never an exception.</summary>
public sealed class RegistryDownTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_StoppedRegistry_IsUnreachableNamingIt()
    {
        await using var registry = await RegistryServer.StartAnonymousAsync(Ct);
        using var resolver = new DigestResolver(DockerConfigs.Options(null));

        // Answering while it runs (no such tag yet), so the failure after is the stop's.
        Assert.Equal(RegistryFailureKind.NotFound, (await resolver.ResolveAsync($"{registry.Host}/down/x:1", Ct)).Failure?.Kind);
        await registry.StopAsync();

        var resolution = await resolver.ResolveAsync($"{registry.Host}/down/x:1", Ct);

        Assert.False(resolution.IsResolved);
        Assert.Equal(RegistryFailureKind.Unreachable, resolution.Failure?.Kind);
        Assert.Contains($"cannot reach registry {registry.Host} at http://{registry.Host}/v2/down/x/manifests/1", resolution.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ClosedPort_IsUnreachable()
    {
        var host = "127.0.0.1:" + FreePort.Loopback();
        using var resolver = new DigestResolver(DockerConfigs.Options(null));
        var resolution = await resolver.ResolveAsync($"{host}/x:1", Ct);
        Assert.Equal(RegistryFailureKind.Unreachable, resolution.Failure?.Kind);
        Assert.Contains("is the registry running", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_SilentServer_TimesOutAsAResult()
    {
        // Accepts connections and never answers: the resolver's own deadline must end the wait.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var host = "127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port;
        using var resolver = new DigestResolver(DockerConfigs.Options(null, timeout: TimeSpan.FromSeconds(1)));

        var resolution = await resolver.ResolveAsync($"{host}/x:1", Ct);

        Assert.Equal(RegistryFailureKind.Timeout, resolution.Failure?.Kind);
        Assert.Contains($"registry {host} (or its token server) did not answer within 1 s", resolution.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_CallerCancels_Throws()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var host = "127.0.0.1:" + ((IPEndPoint)silent.LocalEndpoint).Port;
        using var resolver = new DigestResolver(DockerConfigs.Options(null, timeout: TimeSpan.FromMinutes(5)));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        // The caller's own cancellation is not a registry failure: it surfaces as cancellation.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resolver.ResolveAsync($"{host}/x:1", cancel.Token));
    }
}
