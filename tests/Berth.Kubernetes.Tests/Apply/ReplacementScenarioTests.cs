using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using Berth.Stacks.Events;
using k8s;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>
/// Changes a real API server refuses to make in place (immutable fields, a workload changing kind), deployed through
/// the real KubernetesClient to <see cref="KubernetesApiDouble"/>, which answers 422 where kube-apiserver does.
/// </summary>
public sealed class ReplacementScenarioTests : IAsyncLifetime
{
    private const string Ns = StackFiles.Namespace;
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

    private static string Database(string size, bool ports = false) => $$"""
        services:
          db:
            image: postgres:16
            volumes: ["data:/var/lib/postgresql/data"]
        {{(ports ? "    expose: [\"5432\"]\n" : string.Empty)}}volumes:
          data:
            x-kubernetes: {size: {{size}}}
        """;

    private static string Worker(bool ports) => $$"""
        services:
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        {{(ports ? "    expose: [\"9000\"]\n" : string.Empty)}}
        """;

    private static string Shared(bool withWorker) => $$"""
        services:
          api:
            image: example/api:1
            volumes: ["shared:/data"]
        {{(withWorker ? "  worker:\n    image: example/worker:1\n    volumes: [\"shared:/work\"]\n" : string.Empty)}}volumes:
          shared:
        """;

    [Fact]
    public async Task StatefulSetClaimSizeChange_IsRefusedBeforeAnyWrite_NamingTheClaimsAndTheWaysOn()
    {
        await DeployAsync(Database("1Gi"));
        _api.ClearRequests();

        var plan = await KubernetesPlanner.PlanAsync(_client, Ns, "shop", StackFiles.Convert(Database("5Gi")), pruneVolumes: false, TestContext.Current.CancellationToken);
        var result = await DeployAsync(Database("5Gi"));

        var change = Assert.Single(plan.Changes);
        Assert.Equal(ObjectAction.Replace, change.Action);
        Assert.Equal(["spec.volumeClaimTemplates[0].spec.resources.requests.storage"], change.Fields);
        var refusal = Assert.Single(result.Refusals);
        Assert.Equal("StatefulSet/db", refusal.Id);
        Assert.Contains("data-db-0", refusal.Refused!.Message, StringComparison.Ordinal);
        Assert.Contains("kubectl patch pvc data-db-0", refusal.Refused.Hint, StringComparison.Ordinal);
        Assert.Contains("\"storage\":\"5Gi\"", refusal.Refused.Hint, StringComparison.Ordinal);
        Assert.Contains("--recreate", refusal.Refused.Hint, StringComparison.Ordinal);
        Assert.Equal(0, _api.Writes);
        Assert.Equal("1Gi", (string?)_api.Get("statefulsets.apps", Ns, "db")!["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]);
    }

    [Fact]
    public async Task StatefulSetServiceNameChange_IsRefusedToo()
    {
        // serviceName names the governing Service: a separate headless one while db has ports, db itself without.
        await DeployAsync(Database("1Gi", ports: true));
        _api.ClearRequests();

        var result = await DeployAsync(Database("1Gi", ports: false));

        var refusal = Assert.Single(result.Refusals);
        Assert.Contains("spec.serviceName", refusal.Refused!.Message, StringComparison.Ordinal);
        Assert.Equal(0, _api.Writes);
    }

    [Fact]
    public async Task Recreate_DeletesTheStatefulSetWithOrphanAndCreatesIt_TheServerAcceptsIt()
    {
        await DeployAsync(Database("1Gi"));
        _api.ClearRequests();

        var result = await DeployAsync(Database("5Gi"), recreate: true);

        Assert.Empty(result.Refusals);
        Assert.Equal(["StatefulSet/db"], result.Replaced);
        var writes = _api.Requests.Where(r => r.IsWrite).ToList();
        Assert.Equal(["delete", "patch"], writes.Select(w => w.Verb));
        Assert.Contains("propagationPolicy=Orphan", writes[0].Query, StringComparison.Ordinal);
        Assert.All(writes, w => Assert.True(w.StatusCode < 300, $"{w.Verb} answered {w.StatusCode}"));
        Assert.Equal("5Gi", (string?)_api.Get("statefulsets.apps", Ns, "db")!["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]);
        Assert.Contains("Replacing StatefulSet db: spec.volumeClaimTemplates[0].spec.resources.requests.storage cannot change once set (deleted and created again)", _log);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task HeadlessClusterIpSwitch_ReplacesTheService_AndTheServerAcceptsIt(bool portsBefore, bool portsAfter)
    {
        await DeployAsync(Worker(portsBefore));
        _api.ClearRequests();

        var plan = await KubernetesPlanner.PlanAsync(_client, Ns, "shop", StackFiles.Convert(Worker(portsAfter)), pruneVolumes: false, TestContext.Current.CancellationToken);
        var result = await DeployAsync(Worker(portsAfter));

        var service = Assert.Single(plan.Changes, c => c.Kind == "Service");
        Assert.Equal(ObjectAction.Replace, service.Action);
        Assert.Contains("spec.clusterIP", service.Fields);
        Assert.Null(service.Refused);
        Assert.Empty(result.Refusals);
        Assert.Contains("Service/worker", result.Replaced);
        var serviceWrites = _api.Requests.Where(r => r.IsWrite && r.Resource == "services").ToList();
        Assert.Equal(["delete", "patch"], serviceWrites.Select(w => w.Verb));
        Assert.All(_api.Requests.Where(r => r.IsWrite), w => Assert.True(w.StatusCode < 300, $"{w.Verb} {w.Resource} answered {w.StatusCode}"));
        var clusterIp = (string?)_api.Get("services", Ns, "worker")!["spec"]!["clusterIP"];
        Assert.Equal(portsAfter, clusterIp != "None");
        Assert.Contains(_log, l => l.StartsWith("Replacing Service worker: spec.clusterIP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KindChangeThatDetachesAClaim_IsRefusedBeforeAnyWrite_NamingBothClaims()
    {
        await DeployAsync(Shared(withWorker: true));
        Assert.NotNull(_api.Get("deployments.apps", Ns, "api"));
        _api.ClearRequests();

        // Without worker, api alone uses the volume: it becomes a StatefulSet with its own claim template.
        var plan = await KubernetesPlanner.PlanAsync(_client, Ns, "shop", StackFiles.Convert(Shared(withWorker: false)), pruneVolumes: false, TestContext.Current.CancellationToken);
        var result = await DeployAsync(Shared(withWorker: false));

        var change = Assert.Single(plan.Changes, c => c.Kind == "StatefulSet");
        Assert.Equal(ObjectAction.Replace, change.Action);
        var refusal = Assert.Single(result.Refusals);
        Assert.Contains("shop-shared", refusal.Refused!.Message, StringComparison.Ordinal);
        Assert.Contains("shared-api-0", refusal.Refused.Message, StringComparison.Ordinal);
        Assert.Contains("Deployment api", refusal.Refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, _api.Writes);
        Assert.NotNull(_api.Get("deployments.apps", Ns, "api"));
        Assert.Null(_api.Get("statefulsets.apps", Ns, "api"));
    }

    [Fact]
    public async Task StatelessKindChange_CreatesTheNewWorkloadThenRemovesTheOld()
    {
        const string Replicated = "services:\n  agent:\n    image: example/agent:1\n";
        await DeployAsync(Replicated);
        _api.ClearRequests();

        var result = await DeployAsync(Replicated + "    deploy: {mode: global}\n");

        Assert.Empty(result.Refusals);
        Assert.Equal(["DaemonSet/agent"], result.Replaced);
        Assert.Equal(["Deployment/agent"], result.Removed);
        var writes = _api.Requests.Where(r => r.IsWrite).Select(r => $"{r.Verb} {r.Resource}").ToList();
        Assert.Equal(["patch daemonsets.apps", "delete deployments.apps"], writes);
        Assert.Null(_api.Get("deployments.apps", Ns, "agent"));
        Assert.Contains("Replacing Deployment agent with DaemonSet agent (the workload changes kind; the Deployment is removed once the DaemonSet is written)", _log);
    }

    private Task<KubernetesDeployResult> DeployAsync(string compose, bool recreate = false)
        => new KubernetesDeployer(_client, Ns, StackEventSink.Lines(Log))
            .DeployAsync("shop", StackFiles.Convert(compose), new KubernetesDeployOptions { Detach = true, Recreate = recreate }, TestContext.Current.CancellationToken);

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }
}
