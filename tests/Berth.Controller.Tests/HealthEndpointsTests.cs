using System.Net;
using Berth.Controller.Hosting;
using Berth.Testing;

namespace Berth.Controller.Tests;

/// <summary>The health server alone (no cluster, no election): /readyz follows the leading work's Synced.</summary>
public sealed class HealthEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readyz_is_503_until_the_controller_has_synced_and_healthz_is_200_throughout()
    {
        var synced = false;
        var port = FreePort.Loopback();
        await using var app = ControllerHost.BuildHealthServer(new ControllerOptions { LeaderElect = false, HealthBindAddress = $"127.0.0.1:{port}" }, elector: null, () => Volatile.Read(ref synced));
        await app.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

        using var readyBefore = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        using var healthBefore = await http.GetAsync(new Uri("/healthz", UriKind.Relative), Ct);
        Volatile.Write(ref synced, true);
        using var readyAfter = await http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        using var metrics = await http.GetAsync(new Uri("/metrics", UriKind.Relative), Ct);
        await app.StopAsync(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyBefore.StatusCode);
        Assert.Equal("the stack controller has not synced yet", (await readyBefore.Content.ReadAsStringAsync(Ct)).Trim());
        Assert.Equal(HttpStatusCode.OK, healthBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }
}
