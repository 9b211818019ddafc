using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Impersonation in the Kubernetes API test double (the documented double, not a cluster), held to kube-apiserver's
/// filter AS/pkg/endpoints/filters/impersonation.go: each impersonated value needs the verb "impersonate" on
/// users/groups (core group) or uids/userextras (authentication.k8s.io) with the value as resource name; the
/// request then runs, and is authorized, as the impersonated user.
/// </summary>
public sealed class ApiDoubleImpersonationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] PodVerbs = ["get", "list", "watch"];

    private static HttpClient Client(KubernetesApiDouble api, string token)
    {
        var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(HttpStatusCode Code, JsonObject Body)> GetAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    private static void AllowPods(KubernetesApiDouble api, string subject, string? ns = null)
        => api.Aggregation.Allow(new RbacRule(subject, [.. PodVerbs], "", ["pods"], ns));

    [Fact]
    public async Task Allowed_impersonation_serves_the_request_as_the_impersonated_user_with_uid_groups_and_extra()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Aggregation.AddUser("alice-token", "alice", "dev");
        AllowPods(api, "alice", "shop");
        api.Seed("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""");

        // Written by hand: HttpClient folds repeated headers into one comma-joined line.
        var code = await RawGetAsync(api, "/api/v1/namespaces/shop/pods",
            ("Impersonate-User", "alice"), ("Impersonate-Uid", "alice-uid-7"), ("Impersonate-Group", "dev"), ("Impersonate-Group", "ops"),
            ("Impersonate-Extra-example.com%2Fteam", "blue"), ("Impersonate-Extra-example.com%2Fteam", "green"));

        Assert.Equal(200, code);
        var seen = api.Requests.Single(r => r.Path == "/api/v1/namespaces/shop/pods");
        Assert.Equal("berth-test", seen.ImpersonatedBy);
        Assert.Equal("alice", seen.User!.Name);
        Assert.Equal("alice-uid-7", seen.User.Uid);
        // The groups asked for, each header line one group, plus system:authenticated as the filter adds it.
        Assert.Equal(["dev", "ops", "system:authenticated"], seen.User.Groups);
        // The extra key lower-cased and %-unescaped, one value per header line.
        Assert.Equal(["blue", "green"], seen.User.Extra["example.com/team"]);
    }

    [Fact]
    public async Task A_comma_joined_group_line_is_one_group_as_for_kube_apiserver()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Aggregation.AddUser("alice-token", "alice");
        AllowPods(api, "alice");
        using var client = Client(api, api.Token);

        var (code, _) = await GetAsync(client, "api/v1/namespaces/shop/pods", ("Impersonate-User", "alice"), ("Impersonate-Group", "dev"), ("Impersonate-Group", "ops"));

        // Go's Header[...] is one value per line: HttpClient's folded "dev, ops" is one (odd) group.
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(["dev, ops", "system:authenticated"], api.Requests.Single().User!.Groups);
    }

    // A plain HTTP/1.1 GET with each header on its own line; answers the status code.
    private static async Task<int> RawGetAsync(KubernetesApiDouble api, string path, params (string Name, string Value)[] headers)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(api.BaseAddress.Host, api.BaseAddress.Port, Ct);
        var stream = tcp.GetStream();
        var request = new StringBuilder($"GET {path} HTTP/1.1\r\nHost: {api.BaseAddress.Authority}\r\nAuthorization: Bearer {api.Token}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var status = await reader.ReadLineAsync(Ct) ?? "";
        await reader.ReadToEndAsync(Ct);
        return int.Parse(status.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Impersonation_without_the_impersonate_verb_is_403_worded_as_the_filter()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Aggregation.AddUser("bob-token", "bob");
        AllowPods(api, "bob");
        // bob may impersonate the user alice only: not another user, no group, no uid.
        api.Aggregation.Allow(new RbacRule("bob", ["impersonate"], "", ["users"], ResourceNames: ["alice"]));
        using var bob = Client(api, "bob-token");

        var (userCode, user) = await GetAsync(bob, "api/v1/namespaces/shop/pods", ("Impersonate-User", "carol"));
        var (groupCode, group) = await GetAsync(bob, "api/v1/namespaces/shop/pods", ("Impersonate-User", "alice"), ("Impersonate-Group", "admins"));
        var (uidCode, uid) = await GetAsync(bob, "api/v1/namespaces/shop/pods", ("Impersonate-User", "alice"), ("Impersonate-Uid", "u-1"));
        var (extraCode, extra) = await GetAsync(bob, "api/v1/namespaces/shop/pods", ("Impersonate-User", "alice"), ("Impersonate-Extra-Scopes", "admin"));

        Assert.Equal(HttpStatusCode.Forbidden, userCode);
        Assert.Equal("users \"carol\" is forbidden: User \"bob\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope", user["message"]!.ToString());
        Assert.Equal("Forbidden", user["reason"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, groupCode);
        Assert.Equal("groups \"admins\" is forbidden: User \"bob\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope", group["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, uidCode);
        Assert.Equal("uids.authentication.k8s.io \"u-1\" is forbidden: User \"bob\" cannot impersonate resource \"uids\" in API group \"authentication.k8s.io\" at the cluster scope", uid["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, extraCode);
        Assert.Equal("userextras.authentication.k8s.io \"admin\" is forbidden: User \"bob\" cannot impersonate resource \"userextras/scopes\" in API group \"authentication.k8s.io\" at the cluster scope", extra["message"]!.ToString());
        // Nothing was served as anyone else.
        Assert.DoesNotContain(api.Requests, r => r.StatusCode == 200 && r.ImpersonatedBy is not null);
    }

    [Fact]
    public async Task Allowed_impersonation_of_a_named_user_passes_and_groups_without_a_user_are_refused()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Aggregation.AddUser("bob-token", "bob");
        api.Aggregation.AddUser("alice-token", "alice");
        AllowPods(api, "alice");
        api.Aggregation.Allow(new RbacRule("bob", ["impersonate"], "", ["users"], ResourceNames: ["alice"]));
        using var bob = Client(api, "bob-token");

        var (allowedCode, _) = await GetAsync(bob, "api/v1/namespaces/shop/pods", ("Impersonate-User", "alice"));
        var (groupOnlyCode, groupOnly) = await GetAsync(bob, "api/v1/namespaces/shop/pods", ("Impersonate-Group", "admins"));

        Assert.Equal(HttpStatusCode.OK, allowedCode);
        Assert.Equal("bob", api.Requests[0].ImpersonatedBy);
        Assert.Equal(["system:authenticated"], api.Requests[0].User!.Groups);
        // buildImpersonationRequests' error is answered by responsewriters.InternalError: 500, not 400.
        Assert.Equal(HttpStatusCode.InternalServerError, groupOnlyCode);
        Assert.Equal("Internal error occurred: requested [{Group  admins    }] without impersonating a user", groupOnly["message"]!.ToString());
    }

    [Fact]
    public async Task Resource_requests_of_other_users_are_authorized_per_user_with_subresources()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Aggregation.AddUserAs("carol-token", new DoubleUser("carol", "carol-uid", ["system:authenticated"], ImmutableDictionary<string, ImmutableArray<string>>.Empty));
        AllowPods(api, "carol", "shop");
        api.Seed("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},"spec":{"containers":[{"name":"web","image":"nginx"}]}}""");
        api.Seed(Deployment("web", ns: "shop"));
        using var carol = Client(api, "carol-token");
        using var admin = Client(api, api.Token);

        var (podCode, _) = await GetAsync(carol, "api/v1/namespaces/shop/pods/web-1");
        var (otherNsCode, otherNs) = await GetAsync(carol, "api/v1/namespaces/default/pods");
        var (logCode, log) = await GetAsync(carol, "api/v1/namespaces/shop/pods/web-1/log");
        var (deploymentCode, deployment) = await GetAsync(carol, "apis/apps/v1/namespaces/shop/deployments/web");
        // The same refusals when berth-test impersonates carol: the impersonated user is authorized, not the requester.
        var (impersonatedCode, impersonated) = await GetAsync(admin, "apis/apps/v1/namespaces/shop/deployments/web", ("Impersonate-User", "carol"));

        Assert.Equal(HttpStatusCode.OK, podCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherNsCode);
        Assert.Equal("pods is forbidden: User \"carol\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"", otherNs["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, logCode);
        Assert.Equal("pods \"web-1\" is forbidden: User \"carol\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"shop\"", log["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, deploymentCode);
        Assert.Equal("deployments.apps \"web\" is forbidden: User \"carol\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"shop\"", deployment["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, impersonatedCode);
        Assert.Equal(deployment["message"]!.ToString(), impersonated["message"]!.ToString());
    }
}
