using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.ApiServer.Security;
using Berth.Kubernetes.ApiDouble;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// --kubeconfig pointing at the Kubernetes API test double (not a cluster), which answers TokenReview and
/// SubjectAccessReview: bearer tokens not in the token file are reviewed, every request is authorized by SAR,
/// denials are 403 as kube-apiserver words them, with the real kubectl as the client and a real etcd.
/// </summary>
public sealed class DelegatedTests : IAsyncLifetime
{
    private KubernetesApiDouble _double = null!;
    private EtcdServer _etcd = null!;
    private EtcdStackStore _store = null!;
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _double = await KubernetesApiDouble.StartAsync(ct);
        _double.AddReviewToken("carol-token", "carol", "carol-uid", "dev");
        _double.AddReviewToken("bob-token", "bob", "bob-uid", "guests");
        _double.DenyUser("bob");
        _etcd = await EtcdServer.StartNewAsync(cancellationToken: ct);
        _store = new EtcdStackStore(new EtcdStoreOptions([_etcd.Endpoint]) { CompactionInterval = TimeSpan.Zero });
        var kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("berth-delegated-").FullName, "double.kubeconfig");
        _double.WriteKubeconfig(kubeconfig);
        _server = await RunningServer.StartAsync(o => o with { Kubeconfig = kubeconfig }, o => new ServerServices(_store, ClusterClient.Create(kubeconfig), TokenFile.Load(o.TokenAuthFile!)), ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
        await _etcd.DisposeAsync();
        await _double.DisposeAsync();
    }

    private static string Manifest(string name) => StackManifests.Yaml(name);

    [Fact]
    public async Task ReviewedToken_IsAuthorizedBySubjectAccessReview_WithTheRequestAttributes()
    {
        var carol = new Kubectl(_server, "carol-token", "carol");
        var created = await carol.RunWithInputAsync(Manifest("d-carol"), "create", "-f", "-");
        Assert.True(created.ExitCode == 0, created.ToString());
        var scale = await carol.RunAsync("get", "--raw", "/apis/compose.docker.com/v1beta2/namespaces/default/stacks/d-carol/scale");
        Assert.True(scale.ExitCode == 0, scale.ToString());

        var create = _double.AccessReviews.Last(r => r["resourceAttributes"]?["verb"]?.ToString() == "create");
        Assert.Equal("carol", create["user"]!.ToString());
        Assert.Equal("carol-uid", create["uid"]!.ToString());
        Assert.Equal(["dev", "system:authenticated"], create["groups"]!.AsArray().Select(g => g!.ToString()));
        Assert.Equal("""{"namespace":"default","verb":"create","group":"compose.docker.com","version":"v1alpha3","resource":"stacks"}""", create["resourceAttributes"]!.ToJsonString());
        var sub = _double.AccessReviews.Last(r => r["resourceAttributes"]?["subresource"] is not null);
        Assert.Equal("""{"namespace":"default","verb":"get","group":"compose.docker.com","version":"v1beta2","resource":"stacks","subresource":"scale","name":"d-carol"}""", sub["resourceAttributes"]!.ToJsonString());

        // The owner recorded is the reviewed user.
        var owner = JsonNode.Parse((await carol.RunAsync("get", "--raw", "/apis/compose.docker.com/v1alpha3/namespaces/default/stacks/d-carol/owner")).Stdout)!;
        Assert.Equal("carol", owner["owner"]!["UserName"]!.ToString());
    }

    [Fact]
    public async Task DeniedUser_Is403WordedAsKubeApiServer_ForEveryVerb()
    {
        var bob = new Kubectl(_server, "bob-token", "bob");
        var list = await bob.RunAsync("get", "stacks");
        Assert.NotEqual(0, list.ExitCode);
        Assert.Contains("Error from server (Forbidden): stacks.compose.docker.com is forbidden: User \"bob\" cannot list resource \"stacks\" in API group \"compose.docker.com\" in the namespace \"default\"", list.Stderr, StringComparison.Ordinal);
        var create = await bob.RunWithInputAsync(Manifest("d-bob"), "create", "-f", "-");
        Assert.NotEqual(0, create.ExitCode);
        Assert.Contains("User \"bob\" cannot create resource \"stacks\"", create.Stderr, StringComparison.Ordinal);
        var delete = await bob.RunAsync("delete", "stack", "d-any");
        Assert.Contains("User \"bob\" cannot delete resource \"stacks\"", delete.Stderr, StringComparison.Ordinal);
        var scale = await bob.RunAsync("get", "--raw", "/apis/compose.docker.com/v1alpha3/namespaces/default/stacks/d-any/scale");
        Assert.Contains("Forbidden", scale.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownToken_Is401_TokenFileMasters_NeedNoReview()
    {
        var stranger = new Kubectl(_server, "nobody-token", "stranger");
        var refused = await stranger.RunAsync("get", "stacks");
        Assert.Contains("You must be logged in to the server", refused.Stderr, StringComparison.Ordinal);

        var before = _double.AccessReviews.Count;
        var admin = new Kubectl(_server, RunningServer.AdminToken, "admin");
        var list = await admin.RunAsync("get", "stacks");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.DoesNotContain(_double.AccessReviews.Skip(before), r => r["user"]?.ToString() == "admin");
    }

    [Fact]
    public async Task Decisions_AreCachedBriefly()
    {
        using var client = _server.Client("carol-token");
        var ct = TestContext.Current.CancellationToken;
        using (await client.GetAsync("apis/compose.docker.com/v1alpha3/namespaces/cache/stacks", ct))
        {
        }

        var after = _double.AccessReviews.Count(r => r["resourceAttributes"]?["namespace"]?.ToString() == "cache");
        using (await client.GetAsync("apis/compose.docker.com/v1alpha3/namespaces/cache/stacks", ct))
        {
        }

        Assert.Equal(1, after);
        Assert.Equal(1, _double.AccessReviews.Count(r => r["resourceAttributes"]?["namespace"]?.ToString() == "cache"));
    }

    [Fact]
    public async Task DeniedUser_EveryVerbOverHttp_Is403()
    {
        using var client = _server.Client("bob-token");
        var ct = TestContext.Current.CancellationToken;
        (string Method, string Path, string Verb)[] requests =
        [
            ("GET", "namespaces/n/stacks", "list"), ("GET", "namespaces/n/stacks?watch=true", "watch"), ("GET", "stacks", "list"),
            ("GET", "namespaces/n/stacks/s", "get"), ("POST", "namespaces/n/stacks", "create"), ("PUT", "namespaces/n/stacks/s", "update"),
            ("PATCH", "namespaces/n/stacks/s", "patch"), ("DELETE", "namespaces/n/stacks/s", "delete"), ("DELETE", "namespaces/n/stacks", "deletecollection"),
            ("PUT", "namespaces/n/stacks/s/scale", "update"), ("GET", "namespaces/n/stacks/s/log", "get"), ("POST", "namespaces/n/stacks/s/composeFile", "create"),
        ];
        foreach (var (method, path, verb) in requests)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "apis/compose.docker.com/v1alpha3/" + path) { Content = method is "GET" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/merge-patch+json") };
            using var response = await client.SendAsync(request, ct);
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
            var message = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!["message"]!.ToString();
            Assert.Contains($"User \"bob\" cannot {verb} resource", message, StringComparison.Ordinal);
        }
    }
}
