using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// Real kubectl against the test double acting as kube-apiserver's aggregation layer, in front of a real
/// berth-apiserver on a real etcd (stack-api-server.md §3, §4).
/// </summary>
public sealed class AggregationKubectlTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string StackYaml(string name, string @namespace) => $$"""
        apiVersion: compose.docker.com/v1alpha3
        kind: Stack
        metadata:
          name: {{name}}
          namespace: {{@namespace}}
        spec:
          services:
          - name: web
            image: nginx:1.25-alpine
            deploy:
              replicas: 2
            ports:
            - target: 80
              published: 8080
              protocol: tcp
        """;

    private void EnsureNamespace(string name)
        => front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");

    [Fact]
    public async Task Kubectl_CreateGetYamlDelete_GoThroughTheProxyIntoEtcd()
    {
        EnsureNamespace("shop");
        var file = front.Folder.Write("shop-web.yaml", StackYaml("web", "shop"));
        front.Api.ClearRequests();

        var created = front.Kubectl(null, "create", "-f", file);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("stack.compose.docker.com/web created", created.Stdout);
        // The create reached berth-apiserver through the double's proxy, and landed in berth-apiserver's etcd.
        Assert.Contains(front.Api.Requests, r => r is { Method: "POST", Resource: "stacks.compose.docker.com", Namespace: "shop", StatusCode: 201 });
        var stored = await front.Store.GetAsync("shop", "web", Ct);
        Assert.Equal("web", stored["metadata"]!["name"]!.ToString());

        var table = front.Kubectl(null, "get", "stacks", "-n", "shop");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"NAME\s+SERVICES\s+PORTS\s+STATUS\s+AGE", table.Stdout);
        Assert.Matches(@"(?m)^web\s+1\s", table.Stdout);

        foreach (var version in new[] { "v1alpha3", "v1beta2" })
        {
            var yaml = front.Kubectl(null, "get", $"stacks.{version}.compose.docker.com", "web", "-n", "shop", "-o", "yaml");
            Assert.True(yaml.ExitCode == 0, yaml.ToString());
            Assert.Contains($"apiVersion: compose.docker.com/{version}", yaml.Stdout);
            Assert.Contains("image: nginx:1.25-alpine", yaml.Stdout);
        }

        var deleted = front.Kubectl(null, "delete", "stack", "web", "-n", "shop");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Contains("stack.compose.docker.com \"web\" deleted", deleted.Stdout);
        var gone = await Assert.ThrowsAsync<StoreException>(() => front.Store.GetAsync("shop", "web", Ct));
        Assert.Equal(StoreErrorKind.NotFound, gone.Kind);
        var missing = front.Kubectl(null, "get", "stack", "web", "-n", "shop");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("stacks.compose.docker.com \"web\" not found", missing.Stderr);
    }

    [Fact]
    public async Task Discovery_MergesTheAggregatedGroup_PreferringV1alpha3()
    {
        using var client = front.Client(front.Api.Token);
        var apis = JsonNode.Parse(await client.GetStringAsync("apis", Ct))!;
        var group = ((JsonArray)apis["groups"]!).Single(g => g!["name"]!.ToString() == "compose.docker.com")!;
        Assert.Equal(["v1alpha3", "v1beta2", "v1beta1"], ((JsonArray)group["versions"]!).Select(v => v!["version"]!.ToString()));
        Assert.Equal("compose.docker.com/v1alpha3", group["preferredVersion"]!["groupVersion"]!.ToString());
        // The double's own groups are still there.
        Assert.Contains((JsonArray)apis["groups"]!, g => g!["name"]!.ToString() == "apps");
        var apiGroup = JsonNode.Parse(await client.GetStringAsync("apis/compose.docker.com", Ct))!;
        Assert.Equal("APIGroup", apiGroup["kind"]!.ToString());

        var resources = front.Kubectl(null, "api-resources", "--api-group", "compose.docker.com");
        Assert.True(resources.ExitCode == 0, resources.ToString() + string.Join("\n", front.Api.Requests.Select(r => $"{r.Method} {r.Path}?{r.Query} {r.StatusCode}")));
        Assert.Matches(@"(?m)^stacks\s+.*compose\.docker\.com/v1alpha3\s+true\s+Stack", resources.Stdout);
        // /openapi/v3 merged from the backend and its group-version document proxied: kubectl explain works.
        var explain = front.Kubectl(null, "explain", "stacks.spec.services");
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains("GROUP:      compose.docker.com", explain.Stdout);
        Assert.Contains("FIELD: services", explain.Stdout);
        var services = front.Kubectl(null, "get", "apiservices");
        Assert.True(services.ExitCode == 0, services.ToString());
        Assert.Matches(@"(?m)^v1alpha3\.compose\.docker\.com\s+docker/compose-api\s+True", services.Stdout);
    }

    [Fact]
    public async Task ForgedRemoteUserHeaders_StraightToTheServer_AreNotTrusted()
    {
        // No client certificate: the headers are nobody's word, the request is anonymous → 401.
        using var plain = front.Server.Client();
        using var forged = new HttpRequestMessage(HttpMethod.Get, "apis/compose.docker.com/v1alpha3/namespaces/shop/stacks");
        forged.Headers.Add("X-Remote-User", "admin");
        forged.Headers.Add("X-Remote-Group", "system:masters");
        using var answer = await plain.SendAsync(forged, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("\"reason\":\"Unauthorized\"", await answer.Content.ReadAsStringAsync(Ct));

        // A certificate named front-proxy-client from another CA is no better.
        using var otherCa = TestCertificates.CreateCa("not-the-front-proxy-ca");
        using var impostor = TestCertificates.CreateClient(otherCa, AggregationLayer.FrontProxyClientName);
        using var withImpostor = front.Server.Client(clientCertificate: impostor);
        using var forgedAgain = new HttpRequestMessage(HttpMethod.Get, "apis/compose.docker.com/v1alpha3/namespaces/shop/stacks");
        forgedAgain.Headers.Add("X-Remote-User", "admin");
        forgedAgain.Headers.Add("X-Remote-Group", "system:masters");
        using var again = await withImpostor.SendAsync(forgedAgain, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);

        // Through the front, X-Remote-* sent by the caller are dropped and replaced by who the front authenticated:
        // an unknown token is 401 at the front, whatever the headers say.
        using var viaFront = front.Client("not-a-token");
        using var forgedFront = new HttpRequestMessage(HttpMethod.Get, "apis/compose.docker.com/v1alpha3/namespaces/shop/stacks");
        forgedFront.Headers.Add("X-Remote-User", "admin");
        using var frontAnswer = await viaFront.SendAsync(forgedFront, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, frontAnswer.StatusCode);
    }

    [Fact]
    public async Task UserWhomRbacDeniesCreate_Gets403WordedAsTheApiServer()
    {
        EnsureNamespace("shop");
        front.Api.Aggregation.AddUser("bob-token", "bob", "viewers");
        front.Api.Aggregation.Allow(new RbacRule("bob", ["get", "list", "watch"], "compose.docker.com", ["stacks"]));
        var file = front.Folder.Write("bob.yaml", StackYaml("bobs", "shop"));

        var refused = front.Kubectl("bob-token", "create", "-f", file);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(
            "stacks.compose.docker.com is forbidden: User \"bob\" cannot create resource \"stacks\" in API group \"compose.docker.com\" in the namespace \"shop\"",
            refused.Stderr);
        var listed = front.Kubectl("bob-token", "get", "stacks", "-n", "shop");
        Assert.True(listed.ExitCode == 0, listed.ToString());

        // berth-apiserver decides the same on its own (SubjectAccessReview to the double) when the front's
        // identity headers say bob: a request as the front itself, with the front-proxy certificate.
        using var asFront = front.Server.Client(clientCertificate: front.Api.Aggregation.FrontProxyClientCertificate);
        using var request = new HttpRequestMessage(HttpMethod.Post, "apis/compose.docker.com/v1alpha3/namespaces/shop/stacks")
        {
            Content = new StringContent("""{"apiVersion":"compose.docker.com/v1alpha3","kind":"Stack","metadata":{"name":"bobs"},"spec":{"services":[{"name":"web","image":"nginx"}]}}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Remote-User", "bob");
        request.Headers.Add("X-Remote-Group", "viewers");
        front.Api.ClearRequests();
        using var answer = await asFront.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        var status = JsonNode.Parse(await answer.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Forbidden", status["reason"]!.ToString());
        Assert.StartsWith("stacks.compose.docker.com is forbidden: User \"bob\" cannot create resource \"stacks\" in API group \"compose.docker.com\" in the namespace \"shop\"", status["message"]!.ToString());
        Assert.Contains(front.Api.Requests, r => r.Path == "/apis/authorization.k8s.io/v1/subjectaccessreviews" && r.Body!.Contains("\"user\":\"bob\"", StringComparison.Ordinal));
        await Assert.ThrowsAsync<StoreException>(() => front.Store.GetAsync("shop", "bobs", Ct));
    }

    [Fact]
    public async Task Owner_IsTheUserTheFrontAuthenticated()
    {
        EnsureNamespace("team");
        front.Api.Aggregation.AddUser("alice-front-token", "alice", "dev");
        front.Api.Aggregation.Allow(new RbacRule("alice", ["*"], "compose.docker.com", ["stacks", "stacks/owner"]));
        // The collision check reads the planned Deployment and Services as alice.
        front.Api.Aggregation.Allow(new RbacRule("alice", ["get"], "*", ["*"], "team"));
        var file = front.Folder.Write("alice.yaml", StackYaml("alices", "team").Replace("spec:\n", "spec:\n  owner:\n    username: mallory\n", StringComparison.Ordinal));

        var created = front.Kubectl("alice-front-token", "create", "-f", file, "--validate=false");
        Assert.True(created.ExitCode == 0, created.ToString());
        var owner = front.Kubectl("alice-front-token", "get", "--raw", "/apis/compose.docker.com/v1alpha3/namespaces/team/stacks/alices/owner");
        Assert.True(owner.ExitCode == 0, owner.ToString());
        var json = JsonNode.Parse(owner.Stdout)!;
        Assert.Equal("Owner", json["kind"]!.ToString());
        var text = json.ToJsonString();
        Assert.Contains("\"alice\"", text);
        Assert.True(text.Contains("\"dev\"", StringComparison.Ordinal), text);
        Assert.Contains("\"system:authenticated\"", text);
        Assert.DoesNotContain("mallory", text);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task IdentityHeadersFromTheCaller_AreReplacedByTheFront_OneGroupLinePerGroup()
    {
        EnsureNamespace("team");
        // A group holding a comma shows each group travels on its own X-Remote-Group line (no split, no fold).
        front.Api.Aggregation.AddUser("carol-token", "carol", "team,b", "ops");
        front.Api.Aggregation.Allow(new RbacRule("carol", ["*"], "compose.docker.com", ["*"]));
        front.Api.Aggregation.Allow(new RbacRule("carol", ["get"], "*", ["*"], "team"));
        using var client = front.Client("carol-token");
        HttpRequestMessage Create(bool impersonate)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "apis/compose.docker.com/v1alpha3/namespaces/team/stacks")
            {
                Content = new StringContent("""{"apiVersion":"compose.docker.com/v1alpha3","kind":"Stack","metadata":{"name":"carols"},"spec":{"services":[{"name":"web","image":"nginx"}]}}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Remote-User", "admin");
            request.Headers.Add("X-Remote-Group", "system:masters");
            request.Headers.Add("X-Remote-Extra-Scopes", "all");
            if (impersonate)
            {
                request.Headers.Add("Impersonate-User", "admin");
            }

            return request;
        }

        // Impersonate-* is kube-apiserver's impersonation filter's, before the proxy: carol may not impersonate.
        using (var impersonating = Create(impersonate: true))
        using (var refused = await client.SendAsync(impersonating, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var message = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["message"]!.ToString();
            Assert.Equal("users \"admin\" is forbidden: User \"carol\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope", message);
        }

        using var plain = Create(impersonate: false);
        using var created = await client.SendAsync(plain, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var owner = JsonNode.Parse(await client.GetStringAsync("apis/compose.docker.com/v1alpha3/namespaces/team/stacks/carols/owner", Ct))!["owner"]!;
        Assert.Equal("carol", owner["UserName"]!.ToString());
        Assert.Equal(["ops", "system:authenticated", "team,b"], ((JsonArray)owner["Groups"]!).Select(g => g!.ToString()).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain("admin", owner.ToJsonString());
        Assert.DoesNotContain("system:masters", owner.ToJsonString());
    }

    [Fact]
    public async Task Watch_StreamsThroughTheProxy_EventByEvent()
    {
        EnsureNamespace("watched");
        using var client = front.Client(front.Api.Token);
        using var watch = await client.GetAsync("apis/compose.docker.com/v1alpha3/namespaces/watched/stacks?watch=true&timeoutSeconds=20", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(Ct));
        // Created after the watch opened: the event must arrive while the stream stays open.
        var file = front.Folder.Write("watched.yaml", StackYaml("seen", "watched"));
        var created = front.Kubectl(null, "create", "-f", file);
        Assert.True(created.ExitCode == 0, created.ToString());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(15));
        var line = await reader.ReadLineAsync(deadline.Token);
        var added = JsonNode.Parse(line!)!;
        Assert.Equal("ADDED", added["type"]!.ToString());
        Assert.Equal("seen", added["object"]!["metadata"]!["name"]!.ToString());

        var deleted = front.Kubectl(null, "delete", "stack", "seen", "-n", "watched");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        var next = JsonNode.Parse((await reader.ReadLineAsync(deadline.Token))!)!;
        Assert.Equal("DELETED", next["type"]!.ToString());
    }

    [Fact]
    public async Task BackendDown_IsAPlainText503()
    {
        using var client = front.Client(front.Api.Token);
        // A registered version whose Service has no endpoint, and one whose endpoint refuses connections.
        foreach (var (group, endpoint) in new[] { ("nowhere.example.com", (Uri?)null), ("refused.example.com", new Uri($"https://127.0.0.1:{Berth.Testing.FreePort.Loopback()}/")) })
        {
            if (endpoint is not null)
            {
                front.Api.Aggregation.SetServiceEndpoint("down", group, endpoint);
            }

            var body = $$$"""{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1.{{{group}}}"},"spec":{"group":"{{{group}}}","version":"v1","service":{"namespace":"down","name":"{{{group}}}"},"insecureSkipTLSVerify":true,"groupPriorityMinimum":100,"versionPriority":10}}""";
            using var created = await client.PostAsync("apis/apiregistration.k8s.io/v1/apiservices", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            using var answer = await client.GetAsync($"apis/{group}/v1/namespaces/x/things", Ct);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal("text/plain", answer.Content.Headers.ContentType!.MediaType);
            var text = await answer.Content.ReadAsStringAsync(Ct);
            if (endpoint is null)
            {
                Assert.Equal("service unavailable\n", text);
            }
            else
            {
                Assert.Contains("refused", text, StringComparison.OrdinalIgnoreCase);
            }

            using var deleted = await client.DeleteAsync($"apis/apiregistration.k8s.io/v1/apiservices/v1.{group}", Ct);
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
            using var after = await client.GetAsync($"apis/{group}/v1/namespaces/x/things", Ct);
            Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        }
    }

    [Fact]
    public void ExtensionApiserverAuthentication_ConfigMap_CarriesTheRequestHeaderCa()
    {
        var configMap = front.Api.Get("configmaps", "kube-system", "extension-apiserver-authentication");
        Assert.NotNull(configMap);
        Assert.Equal(front.Api.Aggregation.RequestHeaderCaPem, configMap["data"]!["requestheader-client-ca-file"]!.ToString());
        Assert.Equal("[\"front-proxy-client\"]", configMap["data"]!["requestheader-allowed-names"]!.ToString());
        Assert.Equal("[\"X-Remote-User\"]", configMap["data"]!["requestheader-username-headers"]!.ToString());
    }
}
