using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Tests;

/// <summary>The HTTP surface that needs no storage: authentication refusals, discovery, errors, health, metrics.</summary>
public sealed class ServerSurfaceTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private bool _etcdHealthy = true;

    public async ValueTask InitializeAsync()
        => _server = await RunningServer.StartAsync(null, o => RunningServer.Standalone(o, etcdHealthy: _ => Task.FromResult(_etcdHealthy)), TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task<JsonObject> Json(HttpResponseMessage response)
        => JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();

    [Fact]
    public async Task Anonymous_Is401Status()
    {
        using var client = _server.Client();
        using var response = await client.GetAsync("apis/compose.docker.com/v1alpha3/namespaces/default/stacks", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""", (await Json(response)).ToJsonString());
    }

    [Fact]
    public async Task UnknownToken_Is401()
    {
        using var client = _server.Client("not-a-token");
        using var response = await client.GetAsync("apis", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Discovery_LegacyDocuments()
    {
        using var client = _server.Client(RunningServer.AliceToken);
        var ct = TestContext.Current.CancellationToken;
        var groups = JsonNode.Parse(await client.GetStringAsync("apis", ct))!;
        Assert.Equal("APIGroupList", groups["kind"]!.ToString());
        Assert.Equal("compose.docker.com/v1alpha3", groups["groups"]![0]!["preferredVersion"]!["groupVersion"]!.ToString());
        Assert.Equal(["v1alpha3", "v1beta2", "v1beta1"], groups["groups"]![0]!["versions"]!.AsArray().Select(v => v!["version"]!.ToString()));
        var group = JsonNode.Parse(await client.GetStringAsync("apis/compose.docker.com", ct))!;
        Assert.Equal("APIGroup", group["kind"]!.ToString());

        var beta1 = JsonNode.Parse(await client.GetStringAsync("apis/compose.docker.com/v1beta1", ct))!;
        Assert.Equal(["stacks", "stacks/status", "stacks/owner"], beta1["resources"]!.AsArray().Select(r => r!["name"]!.ToString()));
        var alpha3 = JsonNode.Parse(await client.GetStringAsync("apis/compose.docker.com/v1alpha3", ct))!;
        var stacks = alpha3["resources"]![0]!;
        Assert.Equal(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], stacks["verbs"]!.AsArray().Select(v => v!.ToString()));
        Assert.True(stacks["namespaced"]!.GetValue<bool>());
        Assert.Equal("stack", stacks["singularName"]!.ToString());
        Assert.Equal(["stacks", "stacks/status", "stacks/owner", "stacks/composeFile", "stacks/scale", "stacks/log"], alpha3["resources"]!.AsArray().Select(r => r!["name"]!.ToString()));

        using var missing = await client.GetAsync("apis/compose.docker.com/v2", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Discovery_AggregatedV2_EchoesContentType_ETag304()
    {
        using var client = _server.Client(RunningServer.AliceToken);
        var ct = TestContext.Current.CancellationToken;
        using var request = new HttpRequestMessage(HttpMethod.Get, "apis");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json");
        using var response = await client.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", response.Content.Headers.ContentType!.ToString().Replace("; ", ";", StringComparison.Ordinal));
        var body = await Json(response);
        Assert.Equal("apidiscovery.k8s.io/v2", body["apiVersion"]!.ToString());
        var item = body["items"]![0]!;
        Assert.Equal("compose.docker.com", item["metadata"]!["name"]!.ToString());
        Assert.Equal("v1alpha3", item["versions"]![0]!["version"]!.ToString());
        var resource = item["versions"]![0]!["resources"]![0]!;
        Assert.Equal("Namespaced", resource["scope"]!.ToString());
        Assert.Equal("Stack", resource["responseKind"]!["kind"]!.ToString());
        Assert.Contains("scale", resource["subresources"]!.AsArray().Select(s => s!["subresource"]!.ToString()));
        var etag = response.Headers.ETag!.Tag;

        using var again = new HttpRequestMessage(HttpMethod.Get, "apis");
        again.Headers.TryAddWithoutValidation("Accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        using var notModified = await client.SendAsync(again, ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task UnknownPath_Is404Status_WrongMethod_Is405Status()
    {
        using var client = _server.Client(RunningServer.AliceToken);
        var ct = TestContext.Current.CancellationToken;
        using var missing = await client.GetAsync("api/v1/pods", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var status = await Json(missing);
        Assert.Equal("NotFound", status["reason"]!.ToString());
        Assert.Equal(404, status["code"]!.GetValue<int>());

        using var post = await client.PostAsync("apis", new StringContent("{}"), ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal("MethodNotAllowed", (await Json(post))["reason"]!.ToString());
    }

    [Fact]
    public async Task Health_NeedsNoCredentials_ReadyzReportsEtcdWithoutReason()
    {
        using var client = _server.Client();
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal("ok", await client.GetStringAsync("healthz", ct));
        Assert.Equal("ok", await client.GetStringAsync("livez", ct));
        Assert.Equal("ok", await client.GetStringAsync("readyz", ct));
        _etcdHealthy = false;
        using var ready = await client.GetAsync("readyz", ct);
        Assert.Equal(HttpStatusCode.InternalServerError, ready.StatusCode);
        Assert.Contains("[-]etcd failed: reason withheld", await ready.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        // Liveness does not depend on etcd: a restart would not bring etcd back.
        Assert.Equal("ok", await client.GetStringAsync("livez", ct));
    }

    [Fact]
    public async Task Version_And_Metrics()
    {
        using var client = _server.Client(RunningServer.AliceToken);
        var ct = TestContext.Current.CancellationToken;
        var version = JsonNode.Parse(await client.GetStringAsync("version", ct))!;
        Assert.Equal("1", version["major"]!.ToString());
        Assert.StartsWith("v1.", version["gitVersion"]!.ToString(), StringComparison.Ordinal);
        await client.GetStringAsync("apis", ct);
        var metrics = await client.GetStringAsync("metrics", ct);
        Assert.Contains("apiserver_request_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("apiserver_request_duration_seconds_bucket{", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(RunningServer.AliceToken, metrics, StringComparison.Ordinal);

        using var anonymous = _server.Client();
        using var refused = await anonymous.GetAsync("metrics", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task PlainHttp_IsNotServed()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var ct = TestContext.Current.CancellationToken;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{_server.Options.SecurePort}/healthz"), ct));
    }

    [Theory]
    [InlineData("GET", "apis/compose.docker.com/v1alpha3/stacks")]
    [InlineData("GET", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks?watch=true")]
    [InlineData("GET", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks/s")]
    [InlineData("POST", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks")]
    [InlineData("PUT", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks/s")]
    [InlineData("PATCH", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks/s")]
    [InlineData("DELETE", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks/s")]
    [InlineData("DELETE", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks")]
    [InlineData("PUT", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks/s/scale")]
    [InlineData("GET", "apis/compose.docker.com/v1alpha3/namespaces/n/stacks/s/log")]
    [InlineData("GET", "openapi/v3")]
    public async Task Anonymous_EveryVerb_Is401(string method, string path)
    {
        using var client = _server.Client();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method is "GET" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/merge-patch+json") };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
