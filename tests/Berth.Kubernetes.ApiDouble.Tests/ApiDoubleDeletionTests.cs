using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Deletion as the real server does it: finalizers keep an object Terminating (deletionTimestamp set) until they
/// are gone; the pvc-protection finalizer keeps a claim while a pod uses it; a Job's pods go in the background;
/// a namespace goes through Terminating. The collector is stepped by hand (<see cref="KubernetesApiDouble.CollectNow"/>)
/// so each intermediate state is observed. Sources: kubernetes v1.31 staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go
/// (Delete, Create "object is being deleted"), pkg/controller/volume/pvcprotection, plugin/pkg/admission/storage/storageobjectinuseprotection,
/// plugin/pkg/admission/namespace/lifecycle, pkg/registry/batch/job/strategy.go (DefaultGarbageCollectionPolicy: orphan for batch/v1).
/// </summary>
public sealed class ApiDoubleDeletionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Claim = """
        { "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": { "name": "data" },
          "spec": { "accessModes": [ "ReadWriteOnce" ], "resources": { "requests": { "storage": "1Gi" } } } }
        """;

    private static string PodUsing(string claim, string name = "db-0") => $$"""
        { "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "{{name}}", "namespace": "default" },
          "spec": { "containers": [ { "name": "db", "image": "postgres:16" } ], "volumes": [ { "name": "data", "persistentVolumeClaim": { "claimName": "{{claim}}" } } ] },
          "status": { "phase": "Running" } }
        """;

    private static Task<V1PersistentVolumeClaim> ApplyClaimAsync(IKubernetes client, string json = Claim) =>
        client.CoreV1.PatchNamespacedPersistentVolumeClaimAsync(new V1Patch(json, V1Patch.PatchType.ApplyPatch), "data", "default", fieldManager: "berth", cancellationToken: Ct);

    [Fact]
    public async Task A_claim_in_use_stays_Terminating_and_goes_when_its_pod_goes()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.CollectorDelay = Timeout.InfiniteTimeSpan;
        var created = await ApplyClaimAsync(client);
        api.Seed(PodUsing("data"));

        await client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("data", "default", propagationPolicy: "Background", cancellationToken: Ct);
        api.CollectNow();
        var terminating = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data", "default", cancellationToken: Ct);
        var (code, recreate) = await Refused(() => client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(
            KubernetesJson.Deserialize<V1PersistentVolumeClaim>(Claim), "default", cancellationToken: Ct));
        var reapplied = await ApplyClaimAsync(client);
        api.Delete("pods", "default", "db-0");
        api.CollectNow();

        Assert.Equal(["kubernetes.io/pvc-protection"], created.Metadata.Finalizers);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("object is being deleted: persistentvolumeclaims \"data\" already exists", recreate["message"]!.ToString());
        Assert.NotNull(reapplied.Metadata.DeletionTimestamp);
        Assert.Null(api.Get("persistentvolumeclaims", "default", "data"));
    }

    [Fact]
    public async Task A_claim_no_pod_uses_goes_after_the_pvc_protection_controller_runs()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyClaimAsync(client);

        // The DELETE answers the claim, Terminating; the collector then releases it.
        var answered = await client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync("data", "default", cancellationToken: Ct);
        await api.WaitUntilCollectedAsync(Ct);

        Assert.NotNull(answered.Metadata.DeletionTimestamp);
        Assert.Null(api.Get("persistentvolumeclaims", "default", "data"));
    }

    [Fact]
    public async Task Finalizers_keep_an_object_Terminating_until_the_last_one_is_removed()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("settings").Replace("\"name\": \"settings\"", "\"name\": \"settings\", \"finalizers\": [\"example.com/keep\"]", StringComparison.Ordinal));

        await client.CoreV1.DeleteNamespacedConfigMapAsync("settings", "default", cancellationToken: Ct);
        var terminating = api.Get("configmaps", "default", "settings")!;
        var (code, added) = await Refused(() => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"finalizers":["example.com/keep","example.com/more"]}}""", V1Patch.PatchType.MergePatch), "settings", "default", cancellationToken: Ct));
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "settings", "default", cancellationToken: Ct);

        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);
        Assert.Equal(2, terminating["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("ConfigMap \"settings\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, "
            + "found new finalizers []string{\"example.com/more\"}", added["message"]!.ToString());
        Assert.Null(api.Get("configmaps", "default", "settings"));
    }

    private static JsonObject SeedJobWithPod(KubernetesApiDouble api)
    {
        var job = api.Seed("""
            { "apiVersion": "batch/v1", "kind": "Job", "metadata": { "name": "migrate" },
              "spec": { "template": { "spec": { "restartPolicy": "Never", "containers": [ { "name": "m", "image": "app:1" } ] } } } }
            """);
        return api.Seed($$"""
            { "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "migrate-abcde", "ownerReferences": [
                { "apiVersion": "batch/v1", "kind": "Job", "name": "migrate", "uid": "{{job["metadata"]!["uid"]}}", "controller": true } ] },
              "spec": { "containers": [ { "name": "m", "image": "app:1" } ] } }
            """);
    }

    [Fact]
    public async Task A_Jobs_pods_go_in_the_background_and_stay_orphaned_without_a_propagation_policy()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.CollectorDelay = Timeout.InfiniteTimeSpan;
        SeedJobWithPod(api);

        await client.BatchV1.DeleteNamespacedJobAsync("migrate", "default", propagationPolicy: "Background", cancellationToken: Ct);
        var jobAfterDelete = api.Get("jobs.batch", "default", "migrate");
        var podAfterDelete = api.Get("pods", "default", "migrate-abcde");
        api.CollectNow();
        var podAfterCollection = api.Get("pods", "default", "migrate-abcde");

        SeedJobWithPod(api);
        await client.BatchV1.DeleteNamespacedJobAsync("migrate", "default", cancellationToken: Ct);
        api.CollectNow();
        var orphan = api.Get("pods", "default", "migrate-abcde");

        Assert.Null(jobAfterDelete);
        Assert.NotNull(podAfterDelete);
        Assert.Null(podAfterCollection);
        Assert.NotNull(orphan);
        Assert.Null(orphan["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task Nothing_new_is_created_in_a_Terminating_namespace()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.CollectorDelay = Timeout.InfiniteTimeSpan;
        api.Seed("""{ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": "shop" } }""");
        api.Seed(ConfigMap("settings", ns: "shop"));

        await client.CoreV1.DeleteNamespaceAsync("shop", cancellationToken: Ct);
        var (code, status) = await Refused(() => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(Deployment("web", ns: "shop"), V1Patch.PatchType.ApplyPatch), "web", "shop", fieldManager: "berth", cancellationToken: Ct));
        var contentsWhileTerminating = api.Get("configmaps", "shop", "settings");
        api.CollectNow();

        Assert.Equal(HttpStatusCode.Forbidden, code);
        Assert.Equal("deployments.apps \"web\" is forbidden: unable to create new content in namespace shop because it is being terminated", status["message"]!.ToString());
        Assert.NotNull(contentsWhileTerminating);
        Assert.Null(api.Get("configmaps", "shop", "settings"));
        Assert.Null(api.Get("namespaces", null, "shop"));
    }
}
