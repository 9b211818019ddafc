using System.Diagnostics;
using System.Net;
using System.Text;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>etcd stopped under the server: clear 5xx, readyz fails, the server stays up and recovers by itself.</summary>
public sealed class EtcdFaultTests(StackServerFixture fixture) : IClassFixture<StackServerFixture>
{
    private static StringContent Stack(string name) => new("{\"apiVersion\":\"compose.docker.com/v1alpha3\",\"kind\":\"Stack\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"services\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task EtcdDown_WritesAre5xx_ReadyzFails_ThenRecovers_NothingAcknowledgedLost()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = fixture.Server.Client(RunningServer.AliceToken);
        const string path = "apis/compose.docker.com/v1alpha3/namespaces/fault/stacks";
        using (var before = await client.PostAsync(path, Stack("before"), ct))
        {
            Assert.Equal(HttpStatusCode.Created, before.StatusCode);
        }

        await fixture.Etcd.StopAsync(ct);
        using (var down = await client.PostAsync(path, Stack("during"), ct))
        {
            Assert.True((int)down.StatusCode >= 500, $"{(int)down.StatusCode} {await down.Content.ReadAsStringAsync(ct)}");
            Assert.Contains("\"kind\":\"Status\"", await down.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using (var ready = await client.GetAsync("readyz", ct))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, ready.StatusCode);
            Assert.Contains("[-]etcd failed: reason withheld", await ready.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        Assert.Equal("ok", await client.GetStringAsync("livez", ct));

        await fixture.Etcd.StartAsync(ct);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var ready = await client.GetAsync("readyz", ct);
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "readyz did not recover within 30 s of etcd's return");
            await Task.Delay(200, ct);
        }

        using (var after = await client.PostAsync(path, Stack("after"), ct))
        {
            Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        }

        var list = await client.GetStringAsync(path, ct);
        Assert.Contains("\"before\"", list, StringComparison.Ordinal);
        Assert.Contains("\"after\"", list, StringComparison.Ordinal);
    }
}
