using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.ApiServer.Security;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// berth-apiserver's impersonating reads against the Kubernetes API test double (the documented double, not a
/// cluster), which holds impersonation to kube-apiserver's filter: one header line per group and extra value.
/// </summary>
public sealed class ImpersonatingClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static UserInfo User(string name, string? uid = null, string[]? groups = null, ImmutableDictionary<string, ImmutableArray<string>>? extra = null)
        => new(name, uid, [.. groups ?? ["system:authenticated"]], extra ?? ImmutableDictionary<string, ImmutableArray<string>>.Empty);

    [Fact]
    public async Task EachGroupAndExtraValue_ArrivesAsItsOwnValue_WithTheUid_AndTheBodyIsRead()
    {
        using var folder = new TempProject();
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        api.Seed("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""");
        using var client = ImpersonatingClient.Create(api.WriteKubeconfig(folder.PathOf("kubeconfig")))!;
        var extra = ImmutableDictionary<string, ImmutableArray<string>>.Empty.Add("example.com/team", ["blue", "green"]).Add("scopes", ["read"]);

        await using var response = await client.GetAsync(User("dora", "dora-uid", ["dev", "ops, qa", "system:authenticated"], extra), "api/v1/namespaces/default/pods", Ct);
        var list = JsonNode.Parse(await response.ReadTextAsync(Ct))!;

        Assert.Equal(200, response.Status);
        Assert.Equal("web-1", list["items"]![0]!["metadata"]!["name"]!.ToString());
        var seen = Assert.Single(api.Requests);
        Assert.Equal(KubernetesApiDouble.UserName, seen.ImpersonatedBy);
        Assert.Equal("dora", seen.User!.Name);
        Assert.Equal("dora-uid", seen.User.Uid);
        // A group holding ", " stays one group: HttpClient would have folded the lines into one.
        Assert.Equal(["dev", "ops, qa", "system:authenticated"], seen.User.Groups);
        Assert.Equal(["blue", "green"], seen.User.Extra["example.com/team"]);
        Assert.Equal(["read"], seen.User.Extra["scopes"]);
    }

    [Fact]
    public async Task TheClustersRefusal_IsItsOwnStatus()
    {
        using var folder = new TempProject();
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        api.Aggregation.AddUser("frank-token", "frank");
        using var client = ImpersonatingClient.Create(api.WriteKubeconfig(folder.PathOf("kubeconfig")))!;

        await using var response = await client.GetAsync(User("frank"), "api/v1/namespaces/default/pods", Ct);
        var refusal = await response.RefusalAsync("listing pods", Ct);

        Assert.Equal(403, refusal.Code);
        Assert.Equal("Forbidden", refusal.Reason);
        Assert.Equal("pods is forbidden: User \"frank\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", refusal.Message);
    }

    [Fact]
    public async Task AUserWithALineBreak_IsNeverSent()
    {
        using var folder = new TempProject();
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        using var client = ImpersonatingClient.Create(api.WriteKubeconfig(folder.PathOf("kubeconfig")))!;

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(User("eve\r\nImpersonate-Group: system:masters"), "api/v1/namespaces/default/pods", Ct));

        Assert.Contains("control character", refused.Message, StringComparison.Ordinal);
        Assert.Empty(api.Requests);
    }
}
