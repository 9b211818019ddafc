using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>Server-side apply (managedFields, conflicts, force, removal of omitted fields) in the Kubernetes API test double.</summary>
public sealed class ApiDoubleApplyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<V1Deployment> ApplyAsync(IKubernetes client, string json, string manager = "berth", bool? force = null, string name = "web", string ns = "default") =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(json, V1Patch.PatchType.ApplyPatch), name, ns, fieldManager: manager, force: force, cancellationToken: Ct);

    private static JsonObject FieldsOf(JsonObject obj, string manager) =>
        obj["metadata"]!["managedFields"]!.AsArray().Single(m => m!["manager"]!.ToString() == manager)!["fieldsV1"]!.AsObject();

    [Fact]
    public async Task Apply_creates_the_object_with_an_Apply_managedFields_entry_in_fieldsV1_format()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var applied = await ApplyAsync(client, Deployment("web", replicas: 2));
        var stored = api.Get("deployments.apps", "default", "web")!;

        Assert.Equal(2, applied.Spec.Replicas);
        Assert.Equal(1, applied.Metadata.Generation);
        var entry = Assert.Single(applied.Metadata.ManagedFields);
        Assert.Equal(("berth", "Apply", "apps/v1", "FieldsV1"), (entry.Manager, entry.Operation, entry.ApiVersion, entry.FieldsType));
        var fields = FieldsOf(stored, "berth");
        Assert.True(JsonNode.DeepEquals(new JsonObject(), fields["f:spec"]!["f:replicas"]));
        Assert.NotNull(fields["f:metadata"]!["f:labels"]!["f:com.docker.service.name"]);
        Assert.NotNull(fields["f:spec"]!["f:template"]!["f:spec"]!["f:containers"]);
        Assert.Null(fields["f:metadata"]!["f:name"]);
    }

    [Fact]
    public async Task Unchanged_apply_keeps_the_resourceVersion()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var first = await ApplyAsync(client, Deployment("web"), force: true);
        var second = await ApplyAsync(client, Deployment("web"), force: true);

        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(first.Metadata.ManagedFields.Single().Time, second.Metadata.ManagedFields.Single().Time);
        Assert.Equal(2, api.Writes);
    }

    [Fact]
    public async Task Apply_of_a_field_another_manager_set_differently_is_409_and_force_takes_it_over()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(Deployment("web", replicas: 3));

        var (code, status) = await Refused(() => ApplyAsync(client, Deployment("web", replicas: 2)));
        var unchanged = api.Get("deployments.apps", "default", "web")!;
        var forced = await ApplyAsync(client, Deployment("web", replicas: 2), force: true);
        var stored = api.Get("deployments.apps", "default", "web")!;

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status["reason"]!.ToString());
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas", status["message"]!.ToString());
        Assert.Equal(3, unchanged["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, forced.Spec.Replicas);
        Assert.NotNull(FieldsOf(stored, "berth")["f:spec"]!["f:replicas"]);
        Assert.Null(FieldsOf(stored, "kubectl")["f:spec"]!["f:replicas"]);
        Assert.NotNull(FieldsOf(stored, "kubectl")["f:spec"]!["f:selector"]);
    }

    [Fact]
    public async Task Apply_of_equal_values_shares_ownership_without_conflict()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(Deployment("web", replicas: 3));

        var applied = await ApplyAsync(client, Deployment("web", replicas: 3));

        Assert.Equal(["kubectl", "berth"], applied.Metadata.ManagedFields.Select(m => m.Manager));
    }

    [Fact]
    public async Task Fields_omitted_from_a_later_apply_are_removed_unless_another_manager_owns_them()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyConfigMapAsync(client, ConfigMapApply("""{"a":"1","b":"2"}""", """{"x":"1","y":"2"}"""));
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"c":"3"}}""", V1Patch.PatchType.MergePatch), "web", "default",
            fieldManager: "kubectl-edit", cancellationToken: Ct);
        await ApplyConfigMapAsync(client, ConfigMapApply("""{"b":"2"}""", "{}"), manager: "other");

        var reapplied = await ApplyConfigMapAsync(client, ConfigMapApply("""{"a":"1"}""", """{"x":"1"}"""));

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" }, reapplied.Data);
        Assert.Equal(new Dictionary<string, string> { ["x"] = "1" }, reapplied.Metadata.Labels);
    }

    private static Task<V1ConfigMap> ApplyConfigMapAsync(IKubernetes client, JsonObject configMap, string manager = "berth") =>
        client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(configMap.ToJsonString(), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: manager, cancellationToken: Ct);

    private static JsonObject ConfigMapApply(string data, string labels) =>
        Json($$"""{ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "web", "labels": {{labels}} }, "data": {{data}} }""");

    [Fact]
    public async Task Apply_without_fieldManager_or_with_a_mismatched_kind_is_400()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (noManager, _) = await Refused(() => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(Deployment("web"), V1Patch.PatchType.ApplyPatch), "web", "default", cancellationToken: Ct));
        var (wrongKind, _) = await Refused(() => ApplyAsync(client, Deployment("web").Replace("\"Deployment\"", "\"StatefulSet\"", StringComparison.Ordinal)));
        var (wrongName, _) = await Refused(() => ApplyAsync(client, Deployment("other")));

        Assert.Equal(HttpStatusCode.BadRequest, noManager);
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind);
        Assert.Equal(HttpStatusCode.BadRequest, wrongName);
        Assert.Null(api.Get("deployments.apps", "default", "web"));
    }

    [Fact]
    public async Task Apply_into_a_missing_namespace_is_404()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (code, status) = await Refused(() => ApplyAsync(client, Deployment("web", ns: "shop"), ns: "shop"));

        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("namespaces \"shop\" not found", status["message"]!.ToString());
    }

    [Fact]
    public async Task Apply_ignores_status_on_the_main_resource_and_status_subresource_changes_only_status()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var withStatus = Json(Deployment("web"));
        withStatus["status"] = new JsonObject { ["replicas"] = 5 };

        var applied = await ApplyAsync(client, withStatus.ToJsonString());
        var patched = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            new V1Patch("""{"spec":{"replicas":8},"status":{"readyReplicas":1}}""", V1Patch.PatchType.MergePatch), "web", "default", cancellationToken: Ct);

        Assert.Null(applied.Status);
        Assert.Equal(1, patched.Status.ReadyReplicas);
        Assert.Equal(1, patched.Spec.Replicas);
        Assert.Equal(1, patched.Metadata.Generation);
    }

    [Fact]
    public async Task Template_change_bumps_generation_and_label_change_does_not()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Deployment("web"));
        var relabelled = Json(Deployment("web"));
        relabelled["metadata"]!["labels"]!["extra"] = "1";

        var afterLabel = await ApplyAsync(client, relabelled.ToJsonString());
        var afterImage = await ApplyAsync(client, Deployment("web", image: "nginx:1.28"));

        Assert.Equal(1, afterLabel.Metadata.Generation);
        Assert.Equal(2, afterImage.Metadata.Generation);
        Assert.False(afterImage.Metadata.Labels.ContainsKey("extra"));
    }

    [Fact]
    public async Task Conflicts_with_several_fields_and_an_applier_are_listed_like_the_real_server()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Deployment("web", replicas: 3, image: "nginx:1"), manager: "helm");

        var (code, status) = await Refused(() => ApplyAsync(client, Deployment("web", replicas: 2, image: "nginx:2")));

        Assert.Equal(HttpStatusCode.Conflict, code);
        // Containers merge by name, so the conflict is on the one item's image (structured-merge-diff
        // fieldpath Path.String, sigs.k8s.io/structured-merge-diff/v4 fieldpath/element.go), not the whole list.
        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"helm\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"web\"].image", status["message"]!.ToString());
        Assert.Equal([".spec.replicas", ".spec.template.spec.containers[name=\"web\"].image"], status["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.ToString()));
    }

    [Fact]
    public async Task Concurrent_applies_are_serialized_with_distinct_resourceVersions()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var applied = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(Deployment($"web-{i}", service: $"web-{i}"), V1Patch.PatchType.ApplyPatch), $"web-{i}", "default", fieldManager: "berth", cancellationToken: Ct)));

        Assert.Equal(20, applied.Select(d => d.Metadata.ResourceVersion).Distinct().Count());
        Assert.Equal(20, api.List("deployments.apps", "default").Count);
        Assert.Equal(20, api.Writes);
    }
}
