using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.StackApi;
using Berth.Testing;
using Microsoft.AspNetCore.Builder;

namespace Berth.ApiServer.Tests;

/// <summary>
/// The CRD mode end to end with the real kubectl: the documented Kubernetes API test double (not a cluster) plays
/// kube-apiserver — it serves the Stack CustomResourceDefinition (v1alpha3 stored, v1beta2 served, webhook conversion,
/// status subresource) and calls berth-apiserver's webhooks (started in-process with --webhooks-only, no etcd) over
/// HTTPS through their Service, checked against the generated CA for compose-api.docker.svc. The webhook server reads
/// the double (its --kubeconfig's cluster, not the requesting user's) only for the cluster deploy policy ConfigMap,
/// read afresh on every review (TTL zero); without that ConfigMap nothing changes.
/// </summary>
public sealed class CrdModeTests : IAsyncLifetime
{
    private const string AliceToken = "alice-token";

    private readonly TempProject _folder = new();
    private WebApplication? _webhooks;
    private KubernetesApiDouble? _api;
    private Berth.ApiServer.Security.ClusterClient? _cluster;
    private string _kubeconfig = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KubernetesApiDouble Api => _api!;

    public async ValueTask InitializeAsync()
    {
        var options = new ServerOptions { SecurePort = FreePort.Loopback(), BindAddress = "127.0.0.1", CertDir = _folder.PathOf("certs"), WebhooksOnly = true, EtcdServers = [], PolicyCacheTimeToLive = TimeSpan.Zero };
        _api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        _cluster = Berth.ApiServer.Security.ClusterClient.Create(_api.WriteKubeconfig(_folder.PathOf("server.kubeconfig")));
        _webhooks = WebhookHost.Build(options, _cluster);
        await _webhooks.StartAsync(Ct);
        Api.SetWebhookService(options.ServiceNamespace, options.ServiceName, 443, new Uri($"https://127.0.0.1:{options.SecurePort}/"));
        Api.Aggregation.AddUser(AliceToken, "alice", "dev");
        Api.Aggregation.Allow(new RbacRule("alice", ["*"], "compose.docker.com", ["stacks"]));
        _kubeconfig = Api.WriteKubeconfig(_folder.PathOf("kubeconfig"), @namespace: "default");

        var caBundle = Convert.ToBase64String(Encoding.ASCII.GetBytes(await File.ReadAllTextAsync(_folder.PathOf("certs/ca.crt"), Ct)));
        var service = new JsonObject { ["namespace"] = options.ServiceNamespace, ["name"] = options.ServiceName, ["port"] = 443 };
        Kubectl(null, Manifest(Crd(service, caBundle)), "create", "-f", "-");
        Kubectl(null, Manifest(Configuration("MutatingWebhookConfiguration", "compose-api-mutate", "mutate.stacks.compose.docker.com", "/webhooks/stacks/mutate", service, caBundle)), "create", "-f", "-");
        Kubectl(null, Manifest(Configuration("ValidatingWebhookConfiguration", "compose-api-validate", "validate.stacks.compose.docker.com", "/webhooks/stacks/validate", service, caBundle)), "create", "-f", "-");
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_webhooks is not null)
        {
            await _webhooks.StopAsync(CancellationToken.None);
            await _webhooks.DisposeAsync();
        }

        _cluster?.Dispose();

        _folder.Dispose();
    }

    private static string Manifest(JsonObject obj) => obj.ToJsonString();

    /// <summary>Runs kubectl as the double's own user (null) or with a user's token; fails the test on a non-zero exit unless <paramref name="expectFailure"/>.</summary>
    private ToolResult Kubectl(string? token, string? input, params string[] args) => Kubectl(token, input, expectFailure: false, args);

    private ToolResult Kubectl(string? token, string? input, bool expectFailure, params string[] args)
    {
        string[] auth = token is null ? [] : ["--token", token];

        // The double serves no /openapi documents for CRDs, so kubectl's client-side schema download is turned off
        // (the double still prunes and validates by the CRD's schema on the server side).
        string[] validate = args[0] is "apply" or "create" ? ["--validate=false"] : [];
        var result = ToolProcess.Run("/usr/bin/kubectl", [.. args, .. validate, .. auth, "--kubeconfig", _kubeconfig, "--cache-dir", _folder.PathOf("kube-cache")], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: input);
        Assert.True(expectFailure ? result.ExitCode != 0 : result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}");
        return result;
    }

    private static JsonObject Preserve() => new() { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };

    /// <summary>v1alpha3's spec with its services typed (name, image strings), the rest kept as sent.</summary>
    private static JsonObject Services()
    {
        var service = Preserve();
        service["properties"] = new JsonObject { ["name"] = new JsonObject { ["type"] = "string" }, ["image"] = new JsonObject { ["type"] = "string" } };
        var spec = Preserve();
        spec["properties"] = new JsonObject { ["services"] = new JsonObject { ["type"] = "array", ["items"] = service } };
        return spec;
    }

    private static JsonObject Version(string name, bool storage, JsonObject specSchema) => new()
    {
        ["name"] = name,
        ["served"] = true,
        ["storage"] = storage,
        ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
        ["schema"] = new JsonObject
        {
            ["openAPIV3Schema"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["spec"] = specSchema, ["status"] = Preserve() },
            },
        },
    };

    private static JsonObject Crd(JsonObject service, string caBundle) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = "stacks.compose.docker.com" },
        ["spec"] = new JsonObject
        {
            ["group"] = "compose.docker.com",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject { ["plural"] = "stacks", ["singular"] = "stack", ["kind"] = "Stack", ["listKind"] = "StackList" },
            ["versions"] = new JsonArray(
                Version("v1alpha3", storage: true, Services()),
                Version("v1beta2", storage: false, Preserve())),
            ["conversion"] = new JsonObject
            {
                ["strategy"] = "Webhook",
                ["webhook"] = new JsonObject
                {
                    ["conversionReviewVersions"] = new JsonArray("v1"),
                    ["clientConfig"] = new JsonObject { ["service"] = Path(service, "/webhooks/stacks/convert"), ["caBundle"] = caBundle },
                },
            },
        },
    };

    private static JsonObject Path(JsonObject service, string path)
    {
        var copy = (JsonObject)service.DeepClone();
        copy["path"] = path;
        return copy;
    }

    private static JsonObject Configuration(string kind, string name, string webhook, string path, JsonObject service, string caBundle) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = name },
        ["webhooks"] = new JsonArray(new JsonObject
        {
            ["name"] = webhook,
            ["clientConfig"] = new JsonObject { ["service"] = Path(service, path), ["caBundle"] = caBundle },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray("CREATE", "UPDATE"),
                ["apiGroups"] = new JsonArray("compose.docker.com"),
                ["apiVersions"] = new JsonArray("*"),
                ["resources"] = new JsonArray("stacks"),
            }),
            ["failurePolicy"] = "Fail",
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
        }),
    };

    private static string Stack(string name, string serviceName = "front", string annotations = "", string image = "nginx:1.27") => $"""
        apiVersion: compose.docker.com/v1alpha3
        kind: Stack
        metadata:
          name: {name}
        {annotations}spec:
          services:
          - name: {serviceName}
            image: {image}

        """;

    [Fact]
    public void Kubectl_apply_stores_the_stack_with_the_owner_annotation_of_the_requesting_user()
    {
        var applied = Kubectl(AliceToken, Stack("shop"), "apply", "-f", "-");
        var stored = JsonNode.Parse(Kubectl(null, null, "get", "stacks.v1alpha3.compose.docker.com", "shop", "-o", "json").Stdout)!;

        Assert.Contains("stack.compose.docker.com/shop created", applied.Stdout, StringComparison.Ordinal);
        Assert.True(stored["metadata"]?["annotations"]?["compose.docker.com/owner"] is not null, stored.ToJsonString());
        var owner = JsonNode.Parse(stored["metadata"]!["annotations"]!["compose.docker.com/owner"]!.ToString())!;
        Assert.Equal("alice", owner["UserName"]!.ToString());
        Assert.Contains(owner["Groups"]!.AsArray(), g => g!.ToString() == "dev");
        Assert.Equal("compose.docker.com/v1alpha3", stored["apiVersion"]!.ToString());
    }

    [Fact]
    public void An_invalid_compose_file_is_refused_at_admission_with_berths_message()
    {
        var refused = Kubectl(AliceToken, Stack("bad", serviceName: "Web_1"), expectFailure: true, "apply", "-f", "-");

        // kubectl prints a 422 from its causes, as it does for kube-apiserver's answer with the webhook's status.
        Assert.Contains("The Stack \"bad\" is invalid: spec.services[0].name: Invalid value: \"Web_1\": a DNS-1035 label", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(Api.Requests, r => r.Verb == "create" && r.Resource == "stacks.compose.docker.com" && r.StatusCode == 422 && r.User?.Name == "alice");
        Kubectl(null, null, expectFailure: true, "get", "stacks.v1alpha3.compose.docker.com", "bad");
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_refused_by_the_crd_schema_in_the_servers_wording()
    {
        var refused = Kubectl(AliceToken, Stack("typed", image: "5"), expectFailure: true, "apply", "-f", "-");

        Assert.Contains("The Stack \"typed\" is invalid: spec.services[0].image: Invalid value: \"integer\": spec.services[0].image in body must be of type string: \"integer\"", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_refusal_carries_the_webhooks_status_as_kube_apiserver_answers_it()
    {
        var ca = X509Certificate2.CreateFromPem(Api.ServingCaPem);
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, [ca]) },
        })
        { BaseAddress = Api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AliceToken);
        var stack = new JsonObject
        {
            ["apiVersion"] = "compose.docker.com/v1alpha3",
            ["kind"] = "Stack",
            ["metadata"] = new JsonObject { ["name"] = "bad" },
            ["spec"] = new JsonObject { ["services"] = new JsonArray(new JsonObject { ["name"] = "Web_1", ["image"] = "nginx" }) },
        };

        using var response = await client.PostAsync("apis/compose.docker.com/v1alpha3/namespaces/default/stacks", new StringContent(stack.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(422, (int)response.StatusCode);
        Assert.Equal("Invalid", status["reason"]!.ToString());
        Assert.StartsWith("admission webhook \"validate.stacks.compose.docker.com\" denied the request: Stack.compose.docker.com \"bad\" is invalid: spec.services[0].name: ", status["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("spec.services[0].name", status["details"]!["causes"]![0]!["field"]!.ToString());
    }

    [Fact]
    public void Reading_at_v1beta2_goes_through_the_conversion_webhook()
    {
        Kubectl(AliceToken, Stack("shop"), "apply", "-f", "-");

        var beta2 = JsonNode.Parse(Kubectl(AliceToken, null, "get", "stacks.v1beta2.compose.docker.com", "shop", "-o", "json").Stdout)!;

        Assert.Equal("compose.docker.com/v1beta2", beta2["apiVersion"]!.ToString());
        Assert.Equal("nginx:1.27", beta2["spec"]!["services"]![0]!["image"]!.ToString());
        Assert.Equal("front", beta2["spec"]!["services"]![0]!["name"]!.ToString());
        Assert.NotNull(beta2["metadata"]!["annotations"]!["compose.docker.com/owner"]);
    }

    [Fact]
    public void A_stack_applied_at_v1beta2_is_admitted_there_and_stored_at_v1alpha3()
    {
        var beta2 = Stack("beta").Replace("compose.docker.com/v1alpha3", "compose.docker.com/v1beta2", StringComparison.Ordinal);

        Kubectl(AliceToken, beta2, "apply", "-f", "-");
        var stored = JsonNode.Parse(Kubectl(null, null, "get", "stacks.v1alpha3.compose.docker.com", "beta", "-o", "json").Stdout)!;

        Assert.Equal("compose.docker.com/v1alpha3", stored["apiVersion"]!.ToString());
        Assert.Equal("nginx:1.27", stored["spec"]!["services"]![0]!["image"]!.ToString());
        Assert.Equal("alice", JsonNode.Parse(stored["metadata"]!["annotations"]!["compose.docker.com/owner"]!.ToString())!["UserName"]!.ToString());
    }

    [Fact]
    public void A_client_written_owner_annotation_is_refused()
    {
        const string annotations = "  annotations:\n    compose.docker.com/owner: '{\"username\":\"mallory\"}'\n";

        var refused = Kubectl(AliceToken, Stack("forged", annotations: annotations), expectFailure: true, "apply", "-f", "-");

        Assert.Contains("admission webhook \"mutate.stacks.compose.docker.com\" denied the request: stacks.compose.docker.com \"forged\" is forbidden: metadata.annotations[compose.docker.com/owner] is recorded from the requesting user and cannot be set by clients", refused.Stderr, StringComparison.Ordinal);
    }

    private void SetPolicy(string policy, string? mode = null)
    {
        Kubectl(null, """{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"berth-system"}}""", "apply", "-f", "-");
        var data = new JsonObject { ["policy.yaml"] = policy };
        if (mode is not null)
        {
            data["mode"] = mode;
        }

        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "berth-policy", ["namespace"] = "berth-system" },
            ["data"] = data,
        };
        Kubectl(null, configMap.ToJsonString(), "apply", "-f", "-");
    }

    private static string PrivilegedStack(string name) => $"""
        apiVersion: compose.docker.com/v1beta2
        kind: Stack
        metadata:
          name: {name}
        spec:
          services:
          - name: web
            image: nginx:1.27
            privileged: true

        """;

    [Fact]
    public void Under_an_enforced_cluster_policy_a_violating_stack_is_refused_by_the_validating_webhook_with_its_line()
    {
        SetPolicy("restricted");

        var refused = Kubectl(AliceToken, PrivilegedStack("root"), expectFailure: true, "apply", "-f", "-");

        // kubectl prints the webhook's 422 from its causes, one line a violation.
        Assert.Contains("The Stack \"root\" is invalid: \n* ", refused.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"services\.web\.privileged: spec\.composeFile:\d+:\d+: BP201: ", refused.Stderr);
        Assert.Contains("BP212", refused.Stderr, StringComparison.Ordinal);
        Kubectl(null, null, expectFailure: true, "get", "stacks.v1alpha3.compose.docker.com", "root");
        Assert.Contains(Api.Requests, r => r is { Method: "GET", Path: "/api/v1/namespaces/berth-system/configmaps/berth-policy", StatusCode: 200 });
    }

    [Fact]
    public void Under_a_cluster_policy_in_warn_mode_the_stack_is_stored_and_kubectl_prints_the_webhooks_warnings()
    {
        SetPolicy("restricted", mode: "warn");

        var applied = Kubectl(AliceToken, PrivilegedStack("loud"), "apply", "-f", "-");

        Assert.Contains("stack.compose.docker.com/loud created", applied.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"Warning: stack loud, policy restricted \(configmap berth-system/berth-policy\): services\.web\.privileged: spec\.composeFile:\d+:\d+: BP201: ", applied.Stderr);
        Kubectl(null, null, "get", "stacks.v1alpha3.compose.docker.com", "loud");
    }

    [Fact]
    public void Without_the_policy_configmap_a_privileged_stack_is_admitted_without_warnings()
    {
        var applied = Kubectl(AliceToken, PrivilegedStack("free"), "apply", "-f", "-");

        Assert.Contains("stack.compose.docker.com/free created", applied.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", applied.Stderr, StringComparison.Ordinal);
        Assert.Contains(Api.Requests, r => r is { Method: "GET", Path: "/api/v1/namespaces/berth-system/configmaps/berth-policy", StatusCode: 404 });
    }
}
