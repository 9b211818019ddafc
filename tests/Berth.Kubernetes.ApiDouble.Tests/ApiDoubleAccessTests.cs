using System.Net;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>Authentication, authorization, injected failures, the request log and kubeconfig of the Kubernetes API test double.</summary>
public sealed class ApiDoubleAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Deny_answers_403_with_the_API_server_message()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(Deployment("web", ns: "shop"));
        api.Deny("patch", "deployments.apps", "shop");

        var (code, status) = await Refused(() => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(Deployment("web", ns: "shop"), V1Patch.PatchType.ApplyPatch), "web", "shop", fieldManager: "berth", force: true, cancellationToken: Ct));
        var (listCode, listStatus) = await Refused(() => DenyListAsync(api, client));
        var stillReadable = await client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("Forbidden", status["reason"]!.ToString());
        Assert.Equal(
            "deployments.apps \"web\" is forbidden: User \"berth-test\" cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"",
            status["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, listCode);
        Assert.Equal("secrets is forbidden: User \"berth-test\" cannot list resource \"secrets\" in API group \"\" at the cluster scope", listStatus["message"]!.ToString());
        Assert.Equal("web", stillReadable.Metadata.Name);
    }

    private static Task DenyListAsync(KubernetesApiDouble api, IKubernetes client)
    {
        api.Deny("list", "secrets");
        return client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: Ct);
    }

    [Fact]
    public async Task ExpireToken_and_a_wrong_token_answer_401_Unauthorized()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        using var stranger = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = api.BaseAddress.ToString(), AccessToken = "wrong" });
        await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);

        var (wrongCode, _) = await Refused(() => stranger.CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        api.ExpireToken();
        var (code, status) = await Refused(() => client.CoreV1.ListNamespaceAsync(cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, wrongCode);
        Assert.Equal(HttpStatusCode.Unauthorized, code);
        Assert.Equal("Unauthorized", status["message"]!.ToString());
        Assert.Equal(401, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task FailWritesAfter_fails_later_writes_with_500_and_changes_nothing()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.FailWritesAfter(1);

        await client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("first")), "default", cancellationToken: Ct);
        var (code, status) = await Refused(() => client.CoreV1.CreateNamespacedConfigMapAsync(
            KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("second")), "default", cancellationToken: Ct));
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, code);
        Assert.Equal("InternalError", status["reason"]!.ToString());
        Assert.Equal(["first"], list.Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task Requests_are_logged_with_verbs_and_counted()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var completed = new List<RecordedRequest>();
        api.RequestCompleted += completed.Add;

        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(Deployment("web"), V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "berth", cancellationToken: Ct);
        await client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct);
        await client.AppsV1.ListDeploymentForAllNamespacesAsync(labelSelector: "a=b", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("c")), "default", cancellationToken: Ct);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("c", "default", cancellationToken: Ct);
        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("default", cancellationToken: Ct);

        var requests = api.Requests;
        Assert.Equal(["patch", "get", "list", "create", "delete", "deletecollection"], requests.Select(r => r.Verb));
        Assert.Equal(("deployments.apps", "default", "web", 200), (requests[0].Resource, requests[0].Namespace, requests[0].Name, requests[0].StatusCode));
        Assert.Equal("application/apply-patch+yaml", requests[0].ContentType);
        Assert.Contains("\"nginx:1.27\"", requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("fieldManager=berth", requests[0].Query, StringComparison.Ordinal);
        Assert.Null(requests[2].Namespace);
        Assert.Equal(201, requests[3].StatusCode);
        Assert.Equal(4, api.Writes);
        Assert.Equal(2, api.Reads);
        Assert.Equal(requests, completed);

        api.ClearRequests();
        Assert.Empty(api.Requests);
        Assert.Equal(0, api.Writes);
    }

    [Fact]
    public async Task Kubeconfig_from_WriteKubeconfig_loads_with_KubernetesClientConfiguration_and_works()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        var path = Path.Combine(Path.GetTempPath(), $"berth-double-{Guid.NewGuid():N}.yaml");
        try
        {
            api.WriteKubeconfig(path, "double-ctx", "shop");
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            using var client = new k8s.Kubernetes(config);
            api.Seed(ConfigMap("settings", ns: "shop"));

            var list = await client.CoreV1.ListNamespacedConfigMapAsync(config.Namespace, cancellationToken: Ct);

            Assert.Equal("double-ctx", config.CurrentContext);
            Assert.Equal("shop", config.Namespace);
            Assert.Equal(["settings"], list.Items.Select(i => i.Metadata.Name));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Seed_and_SetStatus_change_state_without_requests()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var seeded = api.Seed(Deployment("web", ns: "fresh"));
        api.SetStatus("deployments.apps", "fresh", "web", Json("""{"replicas":1,"readyReplicas":1}"""));
        var read = await client.AppsV1.ReadNamespacedDeploymentAsync("web", "fresh", cancellationToken: Ct);

        Assert.NotNull(api.Get("namespaces", null, "fresh"));
        Assert.Equal("kubectl", Assert.Single(read.Metadata.ManagedFields).Manager);
        Assert.Equal(1, read.Status.ReadyReplicas);
        Assert.NotEqual(seeded["metadata"]!["resourceVersion"]!.ToString(), read.Metadata.ResourceVersion);
        Assert.Single(api.Requests);
    }
}
