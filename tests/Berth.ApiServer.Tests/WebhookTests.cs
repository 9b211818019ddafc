using System.Net;
using System.Text;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.StackApi;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// The CRD mode's webhooks served by berth-apiserver, sent the AdmissionReview and ConversionReview bodies
/// kube-apiserver sends (k8s.io/api/admission/v1, apiextensions.k8s.io/v1), over HTTPS without credentials as
/// kube-apiserver calls them. Standalone server: no collision check (that needs a cluster).
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private RunningServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunningServer Server => _server!;

    public async ValueTask InitializeAsync() => _server = await RunningServer.StartAsync(null, o => RunningServer.Standalone(o), Ct);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private static JsonObject Stack(string version, JsonObject spec, string name = "shop", JsonObject? annotations = null)
    {
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = "team" };
        if (annotations is not null)
        {
            metadata["annotations"] = annotations;
        }

        return new JsonObject { ["apiVersion"] = "compose.docker.com/" + version, ["kind"] = "Stack", ["metadata"] = metadata, ["spec"] = spec };
    }

    private static JsonObject Services(string image = "nginx:1.27") => new() { ["services"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = image }) };

    private static JsonObject Review(string operation, JsonObject? obj, JsonObject? old = null, string user = "alice", string version = "v1alpha3") => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = "705ab4f5-6393-11e8-b7cc-42010a800002",
            ["kind"] = new JsonObject { ["group"] = "compose.docker.com", ["version"] = version, ["kind"] = "Stack" },
            ["resource"] = new JsonObject { ["group"] = "compose.docker.com", ["version"] = version, ["resource"] = "stacks" },
            ["name"] = obj?["metadata"]?["name"]?.DeepClone() ?? "shop",
            ["namespace"] = "team",
            ["operation"] = operation,
            ["userInfo"] = new JsonObject
            {
                ["username"] = user,
                ["uid"] = user + "-uid",
                ["groups"] = new JsonArray("dev", "system:authenticated"),
                ["extra"] = new JsonObject { ["scopes"] = new JsonArray("a", "b") },
            },
            ["object"] = obj?.DeepClone(),
            ["oldObject"] = old?.DeepClone(),
            ["dryRun"] = false,
        },
    };

    private async Task<JsonObject> PostAsync(string path, JsonObject review)
    {
        // No token and no client certificate: kube-apiserver calls webhooks that way.
        using var client = Server.Client();
        using var response = await client.PostAsync(path, new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private static JsonArray Patch(JsonObject answer)
        => JsonNode.Parse(Convert.FromBase64String(answer["response"]!["patch"]!.GetValue<string>()))!.AsArray();

    [Fact]
    public async Task Validate_AllowsAValidStack_EchoingTheUid()
    {
        var answer = await PostAsync("webhooks/stacks/validate", Review("CREATE", Stack("v1alpha3", Services())));
        Assert.Equal("AdmissionReview", answer["kind"]!.ToString());
        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", answer["response"]!["uid"]!.ToString());
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Validate_RefusesWhatTheAggregatedServerRefuses_With422AndCauses()
    {
        var badName = new JsonObject { ["services"] = new JsonArray(new JsonObject { ["name"] = "Web_1", ["image"] = "nginx" }) };
        var answer = await PostAsync("webhooks/stacks/validate", Review("CREATE", Stack("v1alpha3", badName)));
        var response = answer["response"]!;
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(422, response["status"]!["code"]!.GetValue<int>());
        Assert.Equal("Invalid", response["status"]!["reason"]!.ToString());
        Assert.StartsWith("Stack.compose.docker.com \"shop\" is invalid:", response["status"]!["message"]!.ToString(), StringComparison.Ordinal);

        var compose = new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx\n    ports: [\"99999:80\"]\n" };
        var text = await PostAsync("webhooks/stacks/validate", Review("CREATE", Stack("v1beta1", compose), version: "v1beta1"));
        Assert.False(text["response"]!["allowed"]!.GetValue<bool>());
        Assert.Contains("spec.composeFile", text["response"]!["status"]!["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DoesNotEchoSecretValues()
    {
        var spec = new JsonObject { ["services"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx", ["environment"] = new JsonObject { ["PASSWORD"] = 42 } }) };
        var answer = await PostAsync("webhooks/stacks/validate", Review("CREATE", Stack("v1alpha3", spec)));
        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.DoesNotContain("42", answer["response"]!["status"]!["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_Create_RecordsTheRequestingUserAsOwner()
    {
        var answer = await PostAsync("webhooks/stacks/mutate", Review("CREATE", Stack("v1alpha3", Services())));
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Equal("JSONPatch", answer["response"]!["patchType"]!.ToString());
        var op = Patch(answer).Single()!;
        Assert.Equal("add", op["op"]!.ToString());
        Assert.Equal("/metadata/annotations", op["path"]!.ToString());
        var owner = JsonNode.Parse(op["value"]!["compose.docker.com/owner"]!.ToString())!;
        Assert.Equal("alice", owner["UserName"]!.ToString());
        Assert.Equal("alice-uid", owner["UID"]!.ToString());
        Assert.Equal(["dev", "system:authenticated"], owner["Groups"]!.AsArray().Select(g => g!.ToString()));
        Assert.Equal(["a", "b"], owner["Extra"]!["scopes"]!.AsArray().Select(g => g!.ToString()));
    }

    [Fact]
    public async Task Mutate_RefusesAnOwnerTheClientWrote()
    {
        var forged = new JsonObject { ["compose.docker.com/owner"] = "{\"UserName\":\"cluster-admin\",\"Groups\":[\"system:masters\"]}" };
        var answer = await PostAsync("webhooks/stacks/mutate", Review("CREATE", Stack("v1alpha3", Services(), annotations: forged)));
        Assert.False(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Equal(403, answer["response"]!["status"]!["code"]!.GetValue<int>());
        Assert.Contains("cannot be set by clients", answer["response"]!["status"]!["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutate_Update_KeepsTheOwnerUnlessTheSpecChanges()
    {
        var created = await PostAsync("webhooks/stacks/mutate", Review("CREATE", Stack("v1alpha3", Services())));
        var aliceOwner = Patch(created).Single()!["value"]!["compose.docker.com/owner"]!.ToString();
        var stored = Stack("v1alpha3", Services(), annotations: new JsonObject { ["compose.docker.com/owner"] = aliceOwner });

        // The controller adds its finalizer: same spec, the owner stays alice (no patch).
        var withFinalizer = (JsonObject)stored.DeepClone();
        withFinalizer["metadata"]!["finalizers"] = new JsonArray("compose.docker.com/stack-cleanup");
        var finalizer = await PostAsync("webhooks/stacks/mutate", Review("UPDATE", withFinalizer, stored, user: "system:serviceaccount:berth-system:berth-controller"));
        Assert.True(finalizer["response"]!["allowed"]!.GetValue<bool>());
        Assert.Null(finalizer["response"]!["patch"]);

        // A PUT that drops the annotation gets it back.
        var dropped = Stack("v1alpha3", Services());
        var restored = await PostAsync("webhooks/stacks/mutate", Review("UPDATE", dropped, stored, user: "bob"));
        Assert.Equal(aliceOwner, Patch(restored).Single()!["value"]!["compose.docker.com/owner"]!.ToString());

        // bob changes the spec: bob is the owner now, as the aggregated server records the writer.
        var changed = Stack("v1alpha3", Services("nginx:1.28"), annotations: new JsonObject { ["compose.docker.com/owner"] = aliceOwner });
        var rewritten = await PostAsync("webhooks/stacks/mutate", Review("UPDATE", changed, stored, user: "bob"));
        var op = Patch(rewritten).Single()!;
        Assert.Equal("/metadata/annotations/compose.docker.com~1owner", op["path"]!.ToString());
        Assert.Equal("bob", JsonNode.Parse(op["value"]!.ToString())!["UserName"]!.ToString());
    }

    [Fact]
    public async Task Convert_BetweenVersions_AsTheAggregatedServerReadsThem()
    {
        var review = new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "ConversionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = "conv-1",
                ["desiredAPIVersion"] = "compose.docker.com/v1alpha3",
                ["objects"] = new JsonArray(
                    Stack("v1beta1", new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx:1.27\n" }, "from-text"),
                    Stack("v1alpha3", Services(), "same")),
            },
        };
        var answer = await PostAsync("webhooks/stacks/convert", review);
        var response = answer["response"]!;
        Assert.Equal("conv-1", response["uid"]!.ToString());
        Assert.Equal("Success", response["result"]!["status"]!.ToString());
        var converted = response["convertedObjects"]!.AsArray();
        Assert.Equal(2, converted.Count);
        Assert.Equal("compose.docker.com/v1alpha3", converted[0]!["apiVersion"]!.ToString());
        Assert.Equal("from-text", converted[0]!["metadata"]!["name"]!.ToString());
        Assert.Equal("team", converted[0]!["metadata"]!["namespace"]!.ToString());
        Assert.Equal("nginx:1.27", converted[0]!["spec"]!["services"]![0]!["image"]!.ToString());
        Assert.True(JsonNode.DeepEquals(Stack("v1alpha3", Services(), "same"), converted[1]));

        review["request"]!["desiredAPIVersion"] = "compose.docker.com/v9";
        var refused = await PostAsync("webhooks/stacks/convert", review);
        Assert.Equal("Failure", refused["response"]!["result"]!["status"]!.ToString());
        Assert.Contains("not a served version", refused["response"]!["result"]!["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebhookPaths_AreOpen_TheApiIsNot()
    {
        using var client = Server.Client();
        using var api = await client.GetAsync("apis/compose.docker.com/v1alpha3/stacks", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using var garbage = await client.PostAsync("webhooks/stacks/validate", new StringContent("{\"kind\":\"Nope\"}", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Fact]
    public async Task WebhooksOnly_ServesTheWebhooksAndHealth_WithoutEtcd()
    {
        using var folder = new TempProject();
        var options = new ServerOptions { SecurePort = FreePort.Loopback(), BindAddress = "127.0.0.1", CertDir = folder.PathOf("certs"), WebhooksOnly = true, EtcdServers = [] };
        Assert.Empty(CommandLine.Validate(options));
        await using var app = WebhookHost.Build(options, cluster: null);
        await app.StartAsync(Ct);
        var ca = X509CertificateLoader.LoadCertificateFromFile(folder.PathOf("certs/ca.crt"));
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, [ca]) },
        })
        { BaseAddress = new Uri($"https://127.0.0.1:{options.SecurePort}/") };

        Assert.Equal("ok", await client.GetStringAsync("readyz", Ct));
        using var mutate = await client.PostAsync("webhooks/stacks/mutate", new StringContent(Review("CREATE", Stack("v1alpha3", Services())).ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        var answer = JsonNode.Parse(await mutate.Content.ReadAsStringAsync(Ct))!;
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());
        Assert.NotNull(answer["response"]!["patch"]);
        using var api = await client.GetAsync("apis/compose.docker.com/v1alpha3/stacks", Ct);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        await app.StopAsync(Ct);
    }
}
