using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Server-side apply merges lists as the real server does: keyed lists (x-kubernetes-list-type: map) item by item,
/// owned per item as <c>k:{...}</c> in managedFields; sets member by member (<c>v:</c>); duplicate keys refused.
/// Rules followed: sigs.k8s.io/structured-merge-diff v4.4 (fieldpath/element.go, fieldpath/serialize-pe.go,
/// typed/merge.go, typed/tofieldset.go) as vendored by kubernetes v1.31; list types and keys from the release-1.36
/// OpenAPI document (testdata/schemas/kubernetes/swagger.json.gz).
/// </summary>
public sealed class ApiDoubleListMergeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<V1Deployment> ApplyAsync(IKubernetes client, JsonObject deployment, string manager, bool force = false) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(deployment.ToJsonString(), V1Patch.PatchType.ApplyPatch), "web", "default",
            fieldManager: manager, force: force, cancellationToken: Ct);

    /// <summary>A Deployment with the same selector and template labels as every other applier, and the given containers.</summary>
    private static JsonObject Containers(params JsonObject[] containers) => Json($$"""
        { "apiVersion": "apps/v1", "kind": "Deployment", "metadata": { "name": "web" },
          "spec": { "selector": { "matchLabels": { "app": "web" } },
                    "template": { "metadata": { "labels": { "app": "web" } }, "spec": { "containers": {{new JsonArray(containers).ToJsonString()}} } } } }
        """);

    private static JsonObject Container(string name, string image, string extra = "") => Json($$"""{ "name": "{{name}}", "image": "{{image}}"{{extra}} }""");

    private static JsonObject FieldsOf(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().Single(m => m!["manager"]!.ToString() == manager)!["fieldsV1"]!.AsObject();

    private static JsonArray StoredContainers(KubernetesApiDouble api) =>
        api.Get("deployments.apps", "default", "web")!["spec"]!["template"]!["spec"]!["containers"]!.AsArray();

    [Fact]
    public void The_list_types_and_keys_come_from_the_OpenAPI_document()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var deployment = KubernetesSchema.For(ResourceCatalog.Deployments)!;
        TestContext.Current.TestOutputHelper?.WriteLine($"schema ready after {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
        var pod = deployment.Field("spec")!.Field("template")!.Field("spec")!;
        var container = pod.Field("containers")!;
        var service = KubernetesSchema.For(ResourceCatalog.Require("services"))!.Field("spec")!;

        Assert.Equal(ListKind.Map, container.List);
        Assert.Equal(["name"], container.Keys);
        Assert.Equal(["containerPort", "protocol"], container.Items!.Field("ports")!.Keys);
        Assert.Equal(["name"], container.Items!.Field("env")!.Keys);
        Assert.Equal(ListKind.Atomic, container.Items!.Field("args")!.List);
        Assert.Equal(["port", "protocol"], service.Field("ports")!.Keys);
        Assert.Equal(ListKind.Atomic, service.Field("clusterIPs")!.List);
        Assert.Equal(ListKind.Set, deployment.Field("metadata")!.Field("finalizers")!.List);
        Assert.Same(deployment, KubernetesSchema.For(ResourceCatalog.Deployments));
    }

    [Fact]
    public async Task A_forced_apply_keeps_the_containers_another_manager_added()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Containers(Container("web", "nginx:1.27")), "berth");
        await ApplyAsync(client, Containers(Container("proxy", "envoy:1")), "injector");

        await ApplyAsync(client, Containers(Container("web", "nginx:1.28")), "berth", force: true);

        Assert.Equal(["web", "proxy"], StoredContainers(api).Select(c => c!["name"]!.ToString()));
        Assert.Equal("nginx:1.28", StoredContainers(api)[0]!["image"]!.ToString());
        Assert.Equal("envoy:1", StoredContainers(api)[1]!["image"]!.ToString());
    }

    [Fact]
    public async Task ManagedFields_hold_one_k_entry_per_item_with_a_dot_and_its_fields()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Containers(Container("web", "nginx:1.27")), "berth");
        await ApplyAsync(client, Containers(Container("proxy", "envoy:1")), "injector");

        var stored = api.Get("deployments.apps", "default", "web")!;
        var berth = FieldsOf(stored, "berth")["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!.AsObject();
        var injector = FieldsOf(stored, "injector")["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!.AsObject();

        Assert.True(JsonNode.DeepEquals(Json("""{ ".": {}, "f:image": {}, "f:name": {} }"""), berth["k:{\"name\":\"web\"}"]));
        Assert.Equal(["k:{\"name\":\"web\"}"], berth.Select(p => p.Key));
        Assert.Equal(["k:{\"name\":\"proxy\"}"], injector.Select(p => p.Key));
    }

    [Fact]
    public async Task Ports_are_keyed_by_containerPort_and_protocol_with_the_TCP_default()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Containers(Container("web", "nginx:1", """, "ports": [ { "containerPort": 80 } ]""")), "berth");
        await ApplyAsync(client, Containers(Container("web", "nginx:1", """, "ports": [ { "containerPort": 80, "protocol": "TCP", "name": "http" } ]""")), "kubectl");

        var stored = api.Get("deployments.apps", "default", "web")!;
        var ports = FieldsOf(stored, "berth")["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]!["k:{\"name\":\"web\"}"]!["f:ports"]!.AsObject();

        Assert.Equal(["k:{\"containerPort\":80,\"protocol\":\"TCP\"}"], ports.Select(p => p.Key));
        var port = Assert.Single(StoredContainers(api)[0]!["ports"]!.AsArray());
        Assert.Equal("http", port!["name"]!.ToString());
    }

    [Fact]
    public async Task An_item_the_applier_omits_is_removed_and_one_another_manager_owns_stays()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Containers(Container("web", "nginx:1"), Container("old", "busybox:1"), Container("shared", "redis:7")), "berth");
        await ApplyAsync(client, Containers(Container("shared", "redis:7")), "other");

        await ApplyAsync(client, Containers(Container("web", "nginx:1")), "berth");

        Assert.Equal(["web", "shared"], StoredContainers(api).Select(c => c!["name"]!.ToString()));
    }

    [Fact]
    public async Task A_conflict_inside_an_item_names_the_item_by_key()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Containers(Container("web", "nginx:1"), Container("proxy", "envoy:1")), "helm");

        var (code, status) = await Refused(() => ApplyAsync(client, Containers(Container("web", "nginx:1"), Container("proxy", "envoy:2")), "berth"));

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"helm\": .spec.template.spec.containers[name=\"proxy\"].image", status["message"]!.ToString());
    }

    [Fact]
    public async Task Service_ports_merge_by_port_and_protocol()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        static string Service(string ports) =>
            $$"""{ "apiVersion": "v1", "kind": "Service", "metadata": { "name": "web" }, "spec": { "selector": { "a": "b" }, "ports": {{ports}} } }""";
        Task<V1Service> Apply(string ports, string manager) => client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch(Service(ports), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: manager, cancellationToken: Ct);
        await Apply("""[ { "port": 80 } ]""", "berth");
        await Apply("""[ { "port": 9090, "protocol": "UDP" } ]""", "metrics");

        var service = await Apply("""[ { "port": 80, "name": "http" } ]""", "berth");

        Assert.Equal([(80, "TCP", "http"), (9090, "UDP", null)], service.Spec.Ports.Select(p => (p.Port, p.Protocol, (string?)p.Name)));
    }

    [Fact]
    public async Task Set_members_are_owned_one_by_one()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        static string ConfigMap(string finalizers) =>
            $$"""{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "web", "finalizers": {{finalizers}} } }""";
        Task<V1ConfigMap> Apply(string finalizers, string manager) => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch(ConfigMap(finalizers), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: manager, cancellationToken: Ct);
        await Apply("""["example.com/a"]""", "berth");

        var both = await Apply("""["example.com/b"]""", "other");
        var stored = api.Get("configmaps", "default", "web")!;

        Assert.Equal(["example.com/a", "example.com/b"], both.Metadata.Finalizers);
        Assert.NotNull(FieldsOf(stored, "berth")["f:metadata"]!["f:finalizers"]!["v:\"example.com/a\""]);
    }

    [Fact]
    public async Task Duplicate_keys_in_an_apply_are_refused_like_the_real_server()
    {
        // kubernetes/kubernetes#113482 (and #121575, v1.29): structured-merge-diff refuses the applied object;
        // apiserver answers the plain error as 500 without a reason (endpoints/handlers/responsewriters/status.go).
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var one = Containers(Container("web", "nginx:1", """, "env": [ { "name": "A", "value": "1" }, { "name": "A", "value": "2" } ]"""));
        var two = Containers(Container("web", "nginx:1",
            """, "env": [ { "name": "A" }, { "name": "A" } ], "ports": [ { "containerPort": 93, "hostPort": 1 }, { "containerPort": 93, "hostPort": 2 } ]"""));

        var (code, status) = await Refused(() => ApplyAsync(client, one, "berth"));
        var (_, several) = await Refused(() => ApplyAsync(client, two, "berth"));

        Assert.Equal(HttpStatusCode.InternalServerError, code);
        Assert.Null(status["reason"]);
        Assert.Equal(
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name=\"web\"].env: duplicate entries for key [name=\"A\"]",
            status["message"]!.ToString());
        Assert.Equal(
            "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n"
            + "  .spec.template.spec.containers[name=\"web\"].env: duplicate entries for key [name=\"A\"]\n"
            + "  .spec.template.spec.containers[name=\"web\"].ports: duplicate entries for key [containerPort=93,protocol=\"TCP\"]",
            several["message"]!.ToString());
        Assert.Null(api.Get("deployments.apps", "default", "web"));
    }

    [Fact]
    public async Task Duplicate_keys_written_by_create_are_stored_as_the_real_server_allows()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var deployment = Json(Deployment("web"));
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"] = Json("""{"e":[ { "name": "A", "value": "1" }, { "name": "A", "value": "2" } ]}""")["e"]!.DeepClone();

        await client.AppsV1.CreateNamespacedDeploymentAsync(
            KubernetesJson.Deserialize<V1Deployment>(deployment.ToJsonString()), "default", fieldManager: "kubectl", cancellationToken: Ct);

        Assert.Equal(2, StoredContainers(api)[0]!["env"]!.AsArray().Count);
    }
}
