using System.Net;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>Create, get, list, replace, patch and delete against the Kubernetes API test double, through KubernetesClient.</summary>
public sealed class ApiDoubleCrudTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_fills_server_fields_and_get_returns_the_object()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
            KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("settings")), "default", fieldManager: "test", cancellationToken: Ct);
        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default", cancellationToken: Ct);

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        Assert.Equal("v", read.Data["k"]);
        Assert.Equal("ConfigMap", read.Kind);
        var managed = Assert.Single(read.Metadata.ManagedFields);
        Assert.Equal("test", managed.Manager);
        Assert.Equal("Update", managed.Operation);
    }

    [Fact]
    public async Task Create_of_an_existing_name_is_409_AlreadyExists()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(Deployment("web"));

        var (code, status) = await Refused(() => client.AppsV1.CreateNamespacedDeploymentAsync(
            KubernetesJson.Deserialize<V1Deployment>(Deployment("web")), "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("AlreadyExists", status["reason"]!.ToString());
        Assert.Equal("deployments.apps \"web\" already exists", status["message"]!.ToString());
        Assert.Equal("Status", status["kind"]!.ToString());
        Assert.Equal("Failure", status["status"]!.ToString());
        Assert.Equal("apps", status["details"]!["group"]!.ToString());
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_404_NotFound()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (code, status) = await Refused(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("deployments.apps \"web\" not found", status["message"]!.ToString());
    }

    [Fact]
    public async Task Create_in_a_missing_namespace_is_404_for_the_namespace()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (code, status) = await Refused(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("settings", ns: "nope")), "nope", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("namespaces \"nope\" not found", status["message"]!.ToString());
    }

    [Fact]
    public async Task Create_with_an_invalid_name_is_422_Invalid()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (code, status) = await Refused(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("Bad_Name")), "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Invalid", status["reason"]!.ToString());
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\"", status["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tier=web", "a")]
    [InlineData("tier==web", "a")]
    [InlineData("tier!=web", "b,c")]
    [InlineData("tier in (web,db)", "a,b")]
    [InlineData("tier notin (web)", "b,c")]
    [InlineData("tier", "a,b")]
    [InlineData("!tier", "c")]
    [InlineData("tier,stack=shop", "a")]
    [InlineData("stack=shop,tier notin (web,db)", "c")]
    public async Task List_filters_by_each_label_selector_operator(string selector, string expected)
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("a", labels: """{"tier":"web","stack":"shop"}"""));
        api.Seed(ConfigMap("b", labels: """{"tier":"db"}"""));
        api.Seed(ConfigMap("c", labels: """{"stack":"shop"}"""));

        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: selector, cancellationToken: Ct);

        Assert.Equal(expected, string.Join(",", list.Items.Select(i => i.Metadata.Name)));
    }

    [Fact]
    public async Task List_across_namespaces_and_by_field_selector()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("a", ns: "one"));
        api.Seed(ConfigMap("a", ns: "two"));
        api.Seed(ConfigMap("b", ns: "two"));

        var all = await client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: Ct);
        var named = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=a", cancellationToken: Ct);
        var inTwo = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.namespace=two,metadata.name!=a", cancellationToken: Ct);

        Assert.Equal(["one/a", "two/a", "two/b"], all.Items.Select(i => $"{i.Metadata.NamespaceProperty}/{i.Metadata.Name}"));
        Assert.Equal(["one/a", "two/a"], named.Items.Select(i => $"{i.Metadata.NamespaceProperty}/{i.Metadata.Name}"));
        var only = Assert.Single(inTwo.Items);
        Assert.Equal(("two", "b"), (only.Metadata.NamespaceProperty, only.Metadata.Name));
        Assert.False(string.IsNullOrEmpty(all.Metadata.ResourceVersion));
        Assert.All(all.Items, i => Assert.Equal("ConfigMap", i.Kind));
    }

    [Fact]
    public async Task Replace_with_a_stale_resourceVersion_is_409_Conflict()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var first = await client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("settings")), "default", cancellationToken: Ct);
        first.Metadata.ManagedFields = null;
        first.Data["k"] = "v2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "settings", "default", cancellationToken: Ct);

        first.Data["k"] = "v3";
        var (code, status) = await Refused(() => client.CoreV1.ReplaceNamespacedConfigMapAsync(first, "settings", "default", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", status["reason"]!.ToString());
        Assert.Equal(
            "Operation cannot be fulfilled on configmaps \"settings\": the object has been modified; please apply your changes to the latest version and try again",
            status["message"]!.ToString());
        Assert.Equal("v2", api.Get("configmaps", "default", "settings")!["data"]!["k"]!.ToString());
    }

    [Fact]
    public async Task Generation_is_bumped_by_spec_changes_only_and_status_is_separate()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(KubernetesJson.Deserialize<V1Deployment>(Deployment("web")), "default", cancellationToken: Ct);

        created.Metadata.ManagedFields = null;
        created.Metadata.Labels["extra"] = "yes";
        created.Status = new V1DeploymentStatus { Replicas = 7 };
        var relabelled = await client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "web", "default", cancellationToken: Ct);
        relabelled.Metadata.ManagedFields = null;
        relabelled.Spec.Replicas = 3;
        var scaled = await client.AppsV1.ReplaceNamespacedDeploymentAsync(relabelled, "web", "default", cancellationToken: Ct);
        scaled.Metadata.ManagedFields = null;
        scaled.Status = new V1DeploymentStatus { Replicas = 3, ObservedGeneration = 2 };
        scaled.Spec.Replicas = 9;
        var withStatus = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(scaled, "web", "default", cancellationToken: Ct);

        Assert.Equal(1, relabelled.Metadata.Generation);
        Assert.Null(relabelled.Status);
        Assert.Equal(2, scaled.Metadata.Generation);
        Assert.Equal(2, withStatus.Metadata.Generation);
        Assert.Equal(3, withStatus.Status.Replicas);
        Assert.Equal(3, withStatus.Spec.Replicas);

        scaled.Spec.Replicas = 4;
        scaled.Metadata.ResourceVersion = withStatus.Metadata.ResourceVersion;
        scaled.Status = null;
        var rescaled = await client.AppsV1.ReplaceNamespacedDeploymentAsync(scaled, "web", "default", cancellationToken: Ct);
        Assert.Equal(3, rescaled.Metadata.Generation);
        Assert.Equal(3, rescaled.Status.Replicas);
    }

    [Fact]
    public async Task Merge_patch_changes_only_the_given_fields_and_null_removes()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("settings", data: """{"a":"1","b":"2"}"""));

        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"a":"9","b":null}}""", V1Patch.PatchType.MergePatch), "settings", "default", cancellationToken: Ct);
        var strategic = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.StrategicMergePatch), "settings", "default", cancellationToken: Ct);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "9" }, patched.Data);
        Assert.Equal("y", strategic.Metadata.Labels["x"]);
        Assert.Equal("9", strategic.Data["a"]);
    }

    [Fact]
    public async Task Unchanged_replace_keeps_the_resourceVersion()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("settings")), "default", cancellationToken: Ct);
        created.Metadata.ManagedFields = null; // KubernetesClient.Aot cannot serialize the fieldsV1 it read (JsonElement).

        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "settings", "default", cancellationToken: Ct);

        Assert.Equal(created.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Delete_removes_the_object_then_404_and_namespace_delete_removes_its_contents()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(Deployment("web", ns: "shop"));
        api.Seed(ConfigMap("settings", ns: "shop"));
        api.Seed(ConfigMap("other", ns: "default"));

        await client.AppsV1.DeleteNamespacedDeploymentAsync("web", "shop", propagationPolicy: "Foreground", cancellationToken: Ct);
        var (code, _) = await Refused(() => client.AppsV1.DeleteNamespacedDeploymentAsync("web", "shop", cancellationToken: Ct));
        api.CollectorDelay = Timeout.InfiniteTimeSpan;
        await client.CoreV1.DeleteNamespaceAsync("shop", cancellationToken: Ct);
        var terminating = await client.CoreV1.ReadNamespaceAsync("shop", cancellationToken: Ct);
        api.CollectNow();

        // A namespace goes through Terminating (the namespace controller empties it, then it goes).
        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Null(api.Get("deployments.apps", "shop", "web"));
        Assert.Null(api.Get("configmaps", "shop", "settings"));
        Assert.Null(api.Get("namespaces", null, "shop"));
        Assert.NotNull(api.Get("configmaps", "default", "other"));
    }

    [Fact]
    public async Task Delete_of_an_owner_deletes_its_dependents_like_the_garbage_collector()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var owner = api.Seed(ConfigMap("owner"));
        api.Seed($$"""
            { "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "dependent", "ownerReferences": [
              { "apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "{{owner["metadata"]!["uid"]}}" } ] } }
            """);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", "default", cancellationToken: Ct);

        Assert.Null(api.Get("configmaps", "default", "dependent"));
    }

    [Fact]
    public async Task Unknown_paths_are_404_Status_and_discovery_answers()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var version = await client.Version.GetCodeAsync(Ct);
        var groups = await client.Apis.GetAPIVersionsAsync(Ct);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", api.Token);
        using var unknown = await http.GetAsync(new Uri("apis/example.com/v1/namespaces/default/widgets", UriKind.Relative), Ct);

        Assert.Equal("1", version.Major);
        Assert.Contains(groups.Groups, g => g.Name == "apps");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NotFound", Json(await unknown.Content.ReadAsStringAsync(Ct))["reason"]!.ToString());
    }

    [Fact]
    public async Task Json_patch_applies_its_operations()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("settings", data: """{"a":"1","b":"2"}"""));

        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            """[{"op":"replace","path":"/data/a","value":"9"},{"op":"remove","path":"/data/b"},{"op":"add","path":"/metadata/labels","value":{"x/y":"z"}}]""",
            V1Patch.PatchType.JsonPatch), "settings", "default", cancellationToken: Ct);
        var (code, _) = await Refused(() => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""[{"op":"remove","path":"/data/missing"}]""", V1Patch.PatchType.JsonPatch), "settings", "default", cancellationToken: Ct));

        Assert.Equal(new Dictionary<string, string> { ["a"] = "9" }, patched.Data);
        Assert.Equal("z", patched.Metadata.Labels["x/y"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
    }

    [Fact]
    public async Task Secret_stringData_is_folded_into_data_and_services_get_a_cluster_IP()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var secret = await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"pw"}}""", V1Patch.PatchType.ApplyPatch),
            "db", "default", fieldManager: "berth", cancellationToken: Ct);
        var again = await client.CoreV1.PatchNamespacedSecretAsync(new V1Patch(
            """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"stringData":{"password":"pw"}}""", V1Patch.PatchType.ApplyPatch),
            "db", "default", fieldManager: "berth", cancellationToken: Ct);
        var service = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""", V1Patch.PatchType.ApplyPatch),
            "web", "default", fieldManager: "berth", cancellationToken: Ct);
        var reapplied = await client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""", V1Patch.PatchType.ApplyPatch),
            "web", "default", fieldManager: "berth", cancellationToken: Ct);

        Assert.Equal("pw"u8.ToArray(), secret.Data["password"]);
        Assert.Null(secret.StringData);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal(secret.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        Assert.Equal("ClusterIP", service.Spec.Type);
        Assert.False(string.IsNullOrEmpty(service.Spec.ClusterIP));
        Assert.Equal(("TCP", "80"), (service.Spec.Ports[0].Protocol, service.Spec.Ports[0].TargetPort.Value));
        Assert.Equal(service.Metadata.ResourceVersion, reapplied.Metadata.ResourceVersion);
    }
}
