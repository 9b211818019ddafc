using System.Text.Json.Nodes;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Stacks;
using Berth.Stacks.Events;
using k8s;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>
/// Deploy, redeploy, prune, collisions and rm against <see cref="KubernetesApiDouble"/>: the in-process test double
/// of the Kubernetes API (real HTTP, server-side apply with managedFields, resourceVersions), not a cluster.
/// Deploys are detached: waiting for rollouts is the RolloutWaiter's and tested with it.
/// </summary>
public sealed class DeployScenarioTests : IAsyncLifetime
{
    private const string Ns = StackFiles.Namespace;

    private static readonly string[] Resources =
    [
        "namespaces", "secrets", "configmaps", "persistentvolumeclaims", "services", "deployments.apps", "statefulsets.apps",
        "daemonsets.apps", "jobs.batch", "networkpolicies.networking.k8s.io", "ingresses.networking.k8s.io", "horizontalpodautoscalers.autoscaling",
    ];

    private static readonly Dictionary<string, int> Rank = new(StringComparer.Ordinal)
    {
        ["namespaces"] = 0, ["secrets"] = 1, ["configmaps"] = 2, ["persistentvolumeclaims"] = 3, ["services"] = 4,
        ["deployments.apps"] = 5, ["statefulsets.apps"] = 5, ["daemonsets.apps"] = 5, ["jobs.batch"] = 5,
    };

    private readonly List<string> _log = [];
    private KubernetesApiDouble _api = null!;
    private IKubernetes _client = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        _client = _api.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task FirstDeploy_CreatesEveryObjectInDependencyOrderWithStackLabelsAndFieldManagerBerth()
    {
        var plan = StackFiles.Convert(StackFiles.Shop());

        var result = await DeployAsync(plan);

        Assert.Empty(result.Collisions);
        Assert.Equal(plan.Objects.Length, result.Created.Length);
        Assert.Equal(plan.Objects.Length, result.Writes);
        var writes = _api.Requests.Where(r => r.IsWrite).ToList();
        Assert.All(writes, w => Assert.Equal("patch", w.Verb));
        Assert.All(writes, w => Assert.Contains("fieldManager=berth", w.Query, StringComparison.Ordinal));
        Assert.All(writes, w => Assert.Contains("force=true", w.Query, StringComparison.Ordinal));
        Assert.All(writes, w => Assert.StartsWith("application/apply-patch+yaml", w.ContentType, StringComparison.Ordinal));
        var ranks = writes.Select(w => Rank.GetValueOrDefault(w.Resource!, 6)).ToList();
        Assert.Equal(ranks.Order(), ranks);
        foreach (var obj in Objects())
        {
            var labels = obj["metadata"]!["labels"]!.AsObject();
            Assert.Equal("shop", (string?)labels[StackLabels.StackNamespace]);
            Assert.Equal("berth", (string?)labels[StackLabels.AppManagedBy]);
            Assert.Contains(obj["metadata"]!["managedFields"]!.AsArray(), m => (string?)m!["manager"] == "berth" && (string?)m["operation"] == "Apply");
            Assert.NotNull(obj["metadata"]!["annotations"]?[AppliedObject.HashAnnotation]);
        }

        Assert.Contains("Creating Deployment web", _log);
        Assert.Contains("Creating Secret shop-db-password", _log);
    }

    [Fact]
    public async Task UnchangedRedeploy_MakesNoWriteAndKeepsResourceVersions()
    {
        var plan = StackFiles.Convert(StackFiles.Shop());
        await DeployAsync(plan);
        var before = Versions();
        _api.ClearRequests();

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop()));

        Assert.Equal(0, result.Writes);
        Assert.Equal(0, _api.Writes);
        Assert.Empty(result.Created);
        Assert.Empty(result.Updated);
        Assert.Empty(result.Removed);
        Assert.Equal(plan.Objects.Length, result.Unchanged.Length);
        Assert.Equal(before, Versions());
        Assert.All(_api.Requests, r => Assert.Equal("list", r.Verb is "get" ? "list" : r.Verb));
    }

    [Fact]
    public async Task ChangedRedeploy_WritesOnlyChangedObjects_SecretChangeRollsItsWorkloads()
    {
        await DeployAsync(StackFiles.Convert(StackFiles.Shop()));
        var before = Versions();
        var webRevision = TemplateAnnotation("deployments.apps", "web");
        var dbRevision = TemplateAnnotation("statefulsets.apps", "db");

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop(), password: "changed"));

        Assert.Equal(["Secret/shop-db-password", "Deployment/web", "StatefulSet/db"], result.Updated);
        Assert.Empty(result.Created);
        Assert.Equal(3, result.Writes);
        Assert.NotEqual(webRevision, TemplateAnnotation("deployments.apps", "web"));
        Assert.NotEqual(dbRevision, TemplateAnnotation("statefulsets.apps", "db"));
        var after = Versions();
        var changed = before.Where(p => after[p.Key] != p.Value).Select(p => p.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["deployments.apps/web", "secrets/shop-db-password", "statefulsets.apps/db"], changed);
        Assert.Contains(_log, l => l.StartsWith("Updating Deployment web: spec.template.metadata.annotations[berth.io/config-revision]", StringComparison.Ordinal));
        Assert.Contains("Updating Secret shop-db-password: data", _log);
        Assert.DoesNotContain(_log, l => l.Contains("changed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImageChange_UpdatesOneDeployment_NamingTheField()
    {
        await DeployAsync(StackFiles.Convert(StackFiles.Shop()));
        var planBefore = await KubernetesPlanner.PlanAsync(_client, Ns, "shop", StackFiles.Convert(StackFiles.Shop(webImage: "nginx:1.28")), pruneVolumes: false, TestContext.Current.CancellationToken);
        _api.ClearRequests();

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop(webImage: "nginx:1.28")));

        var change = Assert.Single(planBefore.Changes);
        Assert.Equal(["spec.template.spec.containers[web].image"], change.Fields);
        Assert.Equal(["Deployment/web"], result.Updated);
        Assert.Equal(1, _api.Writes);
        Assert.Equal("nginx:1.28", (string?)_api.Get("deployments.apps", Ns, "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task ChangedJob_IsReplaced_BecauseItsTemplateIsImmutable()
    {
        await DeployAsync(StackFiles.Convert(StackFiles.Shop()));
        var uid = (string?)_api.Get("jobs.batch", Ns, "migrate")!["metadata"]!["uid"];
        _api.ClearRequests();

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop().Replace("example/migrate:1", "example/migrate:2", StringComparison.Ordinal)));

        Assert.Equal(["Job/migrate"], result.Updated);
        Assert.Equal(["delete", "patch"], _api.Requests.Where(r => r.IsWrite).Select(r => r.Verb));
        var job = _api.Get("jobs.batch", Ns, "migrate")!;
        Assert.NotEqual(uid, (string?)job["metadata"]!["uid"]);
        Assert.Equal("example/migrate:2", (string?)job["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Contains(_log, l => l.StartsWith("Replacing Job migrate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prune_RemovesDroppedServiceButNotForeignOrOtherStackObjects_ClaimsOnlyWithVolumes()
    {
        await DeployAsync(StackFiles.Convert(StackFiles.Shop()));
        _api.Seed(Deployment("worker-old", labels: """{"app":"worker"}"""));
        _api.Seed(Deployment("worker2", labels: """{"com.docker.stack.namespace":"shop2"}"""));
        _api.Seed("""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"shop-shared-foreign","namespace":"shop"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""");

        // The worker goes; so does the only other user of "shared"... no: api still uses it. Drop both users by dropping the volume from api too.
        var withoutWorker = StackFiles.Convert(StackFiles.Shop(withWorker: false).Replace("    volumes: [\"shared:/data\"]\n", string.Empty, StringComparison.Ordinal).Replace("  shared:\n", string.Empty, StringComparison.Ordinal));
        var kept = await DeployAsync(withoutWorker);

        Assert.Contains("Deployment/worker", kept.Removed);
        Assert.DoesNotContain(kept.Removed, r => r.StartsWith("PersistentVolumeClaim/", StringComparison.Ordinal));
        Assert.Null(_api.Get("deployments.apps", Ns, "worker"));
        Assert.NotNull(_api.Get("persistentvolumeclaims", Ns, "shop-shared"));
        Assert.NotNull(_api.Get("deployments.apps", Ns, "worker-old"));
        Assert.NotNull(_api.Get("deployments.apps", Ns, "worker2"));
        Assert.Contains("Removing Deployment worker", _log);

        var pruned = await DeployAsync(withoutWorker, pruneVolumes: true);

        Assert.Equal(["PersistentVolumeClaim/shop-shared"], pruned.Removed);

        // A deleted claim stays Terminating until the pvc-protection controller releases it (no pod uses it here).
        await _api.WaitUntilCollectedAsync(TestContext.Current.CancellationToken);
        Assert.Null(_api.Get("persistentvolumeclaims", Ns, "shop-shared"));
        Assert.NotNull(_api.Get("persistentvolumeclaims", Ns, "shop-shared-foreign"));
        Assert.NotNull(_api.Get("deployments.apps", Ns, "worker-old"));
        Assert.NotNull(_api.Get("deployments.apps", Ns, "worker2"));
    }

    [Fact]
    public async Task Collision_ForeignServiceAndOtherStacksDeployment_ReportedAndNothingWritten()
    {
        _api.Seed("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop","labels":{"app":"web"}},"spec":{"ports":[{"port":80}]}}""");
        _api.Seed(Deployment("api", labels: """{"com.docker.stack.namespace":"other"}"""));
        _api.ClearRequests();

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop()));

        Assert.Equal(0, result.Writes);
        Assert.Equal(0, _api.Writes);
        Assert.Equal(2, result.Collisions.Length);
        Assert.Contains(result.Collisions, c => c.Id == "Service/web" && c.Reason!.Contains("not created by a stack", StringComparison.Ordinal));
        Assert.Contains(result.Collisions, c => c.Id == "Deployment/api" && c.Reason!.Contains("owned by stack other", StringComparison.Ordinal));
        Assert.Null(_api.Get("secrets", Ns, "shop-db-password"));
    }

    [Fact]
    public async Task Remove_DeletesOnlyTheStacksObjects_ClaimsOnlyWithVolumes()
    {
        await DeployAsync(StackFiles.Convert(StackFiles.Shop()));
        var other = await DeployAsync(StackFiles.Convert("services:\n  cache:\n    image: redis\n    volumes: [\"data:/d\"]\nvolumes:\n  data:\n", stack: "shop2"), stack: "shop2");
        Assert.Empty(other.Collisions);
        _api.Seed(Deployment("unlabelled", labels: """{"app":"x"}"""));
        // A claim the StatefulSet controller made from db's claim template: it carries the pod labels, so the stack label.
        _api.Seed("""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"db-data-db-0","namespace":"shop","labels":{"com.docker.stack.namespace":"shop","com.docker.service.name":"db"}},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""");

        var kept = await KubernetesStackRemover.RemoveAsync(_client, Ns, "shop", volumes: false, TestContext.Current.CancellationToken);

        Assert.Equal(["PersistentVolumeClaim/db-data-db-0", "PersistentVolumeClaim/shop-shared"], kept.KeptVolumes.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(Objects(), o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop" && (string?)o["kind"] is not ("PersistentVolumeClaim" or "Namespace"));
        Assert.NotNull(_api.Get("deployments.apps", Ns, "unlabelled"));
        Assert.Null(_api.Get("deployments.apps", Ns, "web"));
        Assert.Contains(Objects(), o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop2" && (string?)o["kind"] == "StatefulSet");
        Assert.NotNull(_api.Get("namespaces", null, Ns));

        var all = await KubernetesStackRemover.RemoveAsync(_client, Ns, "shop", volumes: true, TestContext.Current.CancellationToken);

        Assert.Equal(["PersistentVolumeClaim/db-data-db-0", "PersistentVolumeClaim/shop-shared"], all.Removed.Order(StringComparer.Ordinal));

        // A deleted claim stays Terminating until the pvc-protection controller releases it (no pod uses it here).
        await _api.WaitUntilCollectedAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(Objects(), o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop" && (string?)o["kind"] != "Namespace");
        Assert.Contains(Objects(), o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop2");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task InterruptedDeploy_FailsClearly_RerunConvergesToThePlan_ThenNoWrites(int writesBeforeFault)
    {
        var kubeconfig = _api.WriteKubeconfig(Path.Combine(Directory.CreateTempSubdirectory("berth-kc-").FullName, "config"), @namespace: Ns);
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = kubeconfig }, _ => null);
        await DeployAsync(StackFiles.Convert(StackFiles.Shop()));
        // worker goes and api stops using the shared volume: api alone on it would become a StatefulSet, a kind change refused (its claim would be detached).
        var changed = StackFiles.Convert(StackFiles.Shop(webImage: "nginx:2", withWorker: false).Replace("    volumes: [\"shared:/data\"]\n", string.Empty, StringComparison.Ordinal).Replace("  shared:\n", string.Empty, StringComparison.Ordinal), password: "new");
        _api.FailWritesAfter(writesBeforeFault);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => DeployAsync(changed, client: cluster.Client));
        var error = cluster.Explain(thrown);

        Assert.NotNull(error);
        Assert.Contains("500", error.Message, StringComparison.Ordinal);
        Assert.Contains("FailWritesAfter", error.Message, StringComparison.Ordinal);

        await _api.WaitForRequestsAsync(TestContext.Current.CancellationToken);
        _api.FailWritesAfter(int.MaxValue);
        var rerun = await DeployAsync(changed);
        var again = await DeployAsync(changed);

        Assert.Empty(rerun.Collisions);
        Assert.Equal(0, again.Writes);
        var expected = changed.Objects.Select(o => $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal);
        var actual = Objects().Where(o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop" && (string?)o["kind"] != "PersistentVolumeClaim")
            .Select(o => $"{(string?)o["kind"]}/{(string?)o["metadata"]!["name"]}").Order(StringComparer.Ordinal);
        Assert.Equal(expected.Where(e => !e.StartsWith("PersistentVolumeClaim/", StringComparison.Ordinal)), actual);
        Assert.Equal("nginx:2", (string?)_api.Get("deployments.apps", Ns, "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        var secretVersion = (string?)_api.Get("secrets", Ns, "shop-db-password")!["metadata"]!["resourceVersion"];
        Assert.Contains($"Secret/shop-db-password={secretVersion}", TemplateAnnotation("deployments.apps", "web"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(9)]
    [InlineData(14)]
    public async Task InterruptedFirstDeploy_RerunCreatesExactlyThePlannedObjects_ThenNoWrites(int writesBeforeFault)
    {
        var plan = StackFiles.Convert(StackFiles.Shop());
        _api.FailWritesAfter(writesBeforeFault);

        await Assert.ThrowsAnyAsync<Exception>(() => DeployAsync(plan));

        // Writes the failed deploy had in flight still finish on the server (and fail there): wait before lifting the fault.
        await _api.WaitForRequestsAsync(TestContext.Current.CancellationToken);
        Assert.Equal(writesBeforeFault, Objects().Count(o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop"));

        _api.FailWritesAfter(int.MaxValue);
        var rerun = await DeployAsync(plan);
        var again = await DeployAsync(plan);

        Assert.Equal(plan.Objects.Length - writesBeforeFault, rerun.Created.Length);
        Assert.Equal(0, again.Writes);
        Assert.Equal(
            plan.Objects.Select(o => $"{o.Kind}/{o.Metadata.Name}").Order(StringComparer.Ordinal),
            Objects().Where(o => (string?)o["metadata"]!["labels"]?[StackLabels.StackNamespace] == "shop").Select(o => $"{(string?)o["kind"]}/{(string?)o["metadata"]!["name"]}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ExpiredCredentials_AreExplainedAs401()
    {
        var kubeconfig = _api.WriteKubeconfig(Path.Combine(Directory.CreateTempSubdirectory("berth-kc-").FullName, "config"), @namespace: Ns);
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = kubeconfig }, _ => null);
        _api.ExpireToken();

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => DeployAsync(StackFiles.Convert(StackFiles.Shop()), client: cluster.Client));
        var error = cluster.Explain(thrown)!;

        Assert.Contains("401 Unauthorized", error.Message, StringComparison.Ordinal);
        Assert.Contains("context \"double\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Token, error.Message + error.Hint, StringComparison.Ordinal);
        Assert.Equal(0, _api.Writes);
    }

    [Fact]
    public async Task DeniedPatchOfDeployments_IsExplainedWithVerbAndResource_AndNothingIsWrittenAfterIt()
    {
        var kubeconfig = _api.WriteKubeconfig(Path.Combine(Directory.CreateTempSubdirectory("berth-kc-").FullName, "config"), @namespace: Ns);
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = kubeconfig }, _ => null);
        _api.Deny("patch", "deployments.apps", Ns);

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => DeployAsync(StackFiles.Convert(StackFiles.Shop()), client: cluster.Client, parallelism: 1));
        var error = cluster.Explain(thrown)!;

        Assert.StartsWith("forbidden: cannot patch deployments.apps in namespace \"shop\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("RBAC", error.Message, StringComparison.Ordinal);
        Assert.Contains("Failed to apply Deployment api", _log);
        var requests = _api.Requests.ToList();
        var refused = requests.FindIndex(r => r.StatusCode == 403);
        Assert.True(refused >= 0);
        Assert.DoesNotContain(requests.Skip(refused + 1), r => r.IsWrite);
        Assert.True(_api.List("deployments.apps", Ns).Count == 0, string.Join("\n", _api.Requests.Select(r => $"{r.Verb} {r.Resource} {r.Name} {r.StatusCode}")));
        // Within the workload group (kind, then name) DaemonSets come before Deployments; Jobs and StatefulSets after.
        Assert.Empty(_api.List("statefulsets.apps", Ns).Concat(_api.List("jobs.batch", Ns)));
    }

    [Fact]
    public async Task KindOutsideThePlanThatMayNotBeListed_IsSkippedByPrune_AndTheDeploySucceeds()
    {
        _api.Deny("list", "horizontalpodautoscalers.autoscaling", Ns);

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop()));

        Assert.Equal(StackFiles.Convert(StackFiles.Shop()).Objects.Length, result.Created.Length);
        Assert.Contains(_log, l => l.StartsWith("Skipping horizontalpodautoscalers.autoscaling: not allowed to list them", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NamespaceThatMayNotBeRead_IsUsedAsItIs()
    {
        _api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        _api.Deny("get", "namespaces");
        _api.Deny("patch", "namespaces");

        var result = await DeployAsync(StackFiles.Convert(StackFiles.Shop()));

        Assert.Contains("Namespace/shop", result.Unchanged);
        Assert.Contains("Deployment/web", result.Created);
        Assert.Contains(_log, l => l.StartsWith("Namespace shop: not allowed to read it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_IntoMissingNamespaceWithoutNamespaceObject_CreatesItAndSaysSo()
    {
        var plan = StackFiles.Convert("services:\n  web:\n    image: nginx\n", @namespace: "default");
        plan = plan with { Objects = [.. plan.Objects.Where(o => o.Kind != "Namespace")] };

        var result = await new KubernetesDeployer(_client, "elsewhere", StackEventSink.Lines(Log))
            .DeployAsync("shop", plan, new KubernetesDeployOptions { Detach = true }, TestContext.Current.CancellationToken);

        Assert.NotNull(_api.Get("namespaces", null, "elsewhere"));
        Assert.NotNull(_api.Get("deployments.apps", "elsewhere", "web"));
        Assert.Contains(_log, l => l.StartsWith("Creating Namespace elsewhere", StringComparison.Ordinal));
        Assert.Equal(["Service/web", "Deployment/web"], result.Created);
    }

    [Fact]
    public async Task Cancellation_Propagates()
    {
        using var source = new CancellationTokenSource();
        await source.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new KubernetesDeployer(_client, Ns, StackEventSink.Lines(Log))
            .DeployAsync("shop", StackFiles.Convert(StackFiles.Shop()), new KubernetesDeployOptions { Detach = true }, source.Token));
    }

    private Task<KubernetesDeployResult> DeployAsync(KubernetesPlan plan, string stack = "shop", bool pruneVolumes = false, IKubernetes? client = null, int parallelism = 8)
        => new KubernetesDeployer(client ?? _client, Ns, StackEventSink.Lines(Log))
            .DeployAsync(stack, plan, new KubernetesDeployOptions { Detach = true, PruneVolumes = pruneVolumes, Parallelism = parallelism }, TestContext.Current.CancellationToken);

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    [Fact]
    public async Task AutoscaledWorkload_IsAppliedWithoutReplicas_SoAChangedDeployKeepsTheAutoscalersCount()
    {
        static string Compose(string image) => $$"""
            services:
              web:
                image: {{image}}
                deploy: {replicas: 2}
                labels:
                  kompose.hpa.cpu: "70"
                  kompose.hpa.replicas.min: "2"
                  kompose.hpa.replicas.max: "10"
            """;
        Assert.Empty((await DeployAsync(StackFiles.Convert(Compose("nginx:1.27")))).Collisions);
        var sent = _api.Requests.Single(r => r.Verb == "patch" && r.Resource == "deployments.apps");
        Assert.Null(JsonNode.Parse(sent.Body!)!["spec"]!["replicas"]);
        Assert.NotNull(_api.Get("horizontalpodautoscalers.autoscaling", Ns, "web"));

        // The autoscaler (another field manager) scales web to 5.
        await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new k8s.Models.V1Patch("""{"spec":{"replicas":5}}""", k8s.Models.V1Patch.PatchType.MergePatch), "web", Ns,
            fieldManager: "horizontal-pod-autoscaler", cancellationToken: TestContext.Current.CancellationToken);

        var changed = await DeployAsync(StackFiles.Convert(Compose("nginx:1.28")));

        Assert.Contains("Deployment/web", changed.Updated);
        var web = _api.Get("deployments.apps", Ns, "web")!;
        Assert.Equal(5, (int)web["spec"]!["replicas"]!);
        Assert.Equal("nginx:1.28", (string?)web["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    private IEnumerable<JsonObject> Objects()
        => Resources.SelectMany(r => r == "namespaces" ? _api.List(r).Where(n => (string?)n["metadata"]!["name"] == Ns) : _api.List(r, Ns));

    private Dictionary<string, string> Versions()
        => Resources.Where(r => r != "namespaces")
            .SelectMany(r => _api.List(r, Ns).Select(o => (Key: $"{r}/{(string?)o["metadata"]!["name"]}", Value: (string?)o["metadata"]!["resourceVersion"] ?? string.Empty)))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private string? TemplateAnnotation(string resource, string name)
        => (string?)_api.Get(resource, Ns, name)!["spec"]!["template"]!["metadata"]!["annotations"]?[AppliedObject.ConfigRevisionAnnotation];

    private static string Deployment(string name, string labels)
        => "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"shop\",\"labels\":" + labels + "},"
            + "\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}";
}
