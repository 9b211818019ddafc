using System.Net;
using System.Text;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>What the server logs: the startup facts once each, requests without secrets, tokens or bodies.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private const string Secret = "s3cret-value-in-env";
    private readonly CapturedLogs _logs = new();
    private EtcdServer _etcd = null!;
    private EtcdStackStore _store = null!;
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _etcd = await EtcdServer.StartNewAsync(cancellationToken: ct);
        _store = new EtcdStackStore(new EtcdStoreOptions([_etcd.Endpoint]) { CompactionInterval = TimeSpan.Zero });
        _server = await RunningServer.StartAsync(null, o => RunningServer.Standalone(o, _store), ct, _logs);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private static StringContent Stack(string name, string service)
        => new("{\"apiVersion\":\"compose.docker.com/v1alpha3\",\"kind\":\"Stack\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"services\":[{\"name\":\"" + service + "\",\"image\":\"nginx:1.27\",\"environment\":{\"PASSWORD\":\"" + Secret + "\"}}]}}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Startup_SaysStandaloneAndAlwaysAllowOnce()
    {
        Assert.Single(_logs.Lines, l => l.Contains("standalone (no --kubeconfig and not in a cluster)", StringComparison.Ordinal) && l.Contains("no collision check", StringComparison.Ordinal) && l.Contains("stacks/log answers 503", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("--authorization-mode AlwaysAllow", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, l => l.Contains("standalone: no NamespaceLifecycle admission", StringComparison.Ordinal));
        using var client = _server.Client(RunningServer.AliceToken);
        using (await client.GetAsync("apis", TestContext.Current.CancellationToken))
        {
        }

        Assert.Single(_logs.Lines, l => l.Contains("--authorization-mode AlwaysAllow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requests_AreLoggedWithoutSecretsOrTokens()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _server.Client(RunningServer.AliceToken);
        using (var created = await client.PostAsync("apis/compose.docker.com/v1alpha3/namespaces/logs/stacks", Stack("logged", "web"), ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var invalid = await client.PostAsync("apis/compose.docker.com/v1alpha3/namespaces/logs/stacks", Stack("refused", "Bad_Name"), ct))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
            Assert.DoesNotContain(Secret, await invalid.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        using (await client.PatchAsync("apis/compose.docker.com/v1alpha3/namespaces/logs/stacks/logged", new StringContent("[{\"op\":\"test\",\"path\":\"/spec/services/0/environment/PASSWORD\",\"value\":\"wrong\"}]", Encoding.UTF8, "application/json-patch+json"), ct))
        {
        }

        var lines = _logs.Lines;
        Assert.Contains(lines, l => l.Contains("POST /apis/compose.docker.com/v1alpha3/namespaces/logs/stacks user=alice code=201", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("stack logs/logged created by alice", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(RunningServer.AliceToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidSecretValue_IsRedactedInThe422()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _server.Client(RunningServer.AliceToken);
        var body = "{\"apiVersion\":\"compose.docker.com/v1alpha3\",\"kind\":\"Stack\",\"metadata\":{\"name\":\"typed\"},\"spec\":{\"services\":[{\"name\":\"web\",\"image\":\"nginx\",\"environment\":{\"PASSWORD\":{\"x\":\"" + Secret + "\"}}}]}}";
        using var response = await client.PostAsync("apis/compose.docker.com/v1alpha3/namespaces/logs/stacks", new StringContent(body, Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("spec.services[0].environment.PASSWORD: Invalid value: \\\"<redacted>\\\": must be a string", text, StringComparison.Ordinal);
    }
}
