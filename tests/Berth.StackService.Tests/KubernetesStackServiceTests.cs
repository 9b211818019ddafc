using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Stacks.Events;

namespace Berth.StackService.Tests;

/// <summary>
/// The Kubernetes stack service against the in-process Kubernetes API double (reached through the kubeconfig it
/// writes): typed results, events in order, and the requests each call makes.
/// </summary>
public sealed class KubernetesStackServiceTests : KubernetesLayerTest
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80"]
            deploy: {replicas: 2}
            environment: {GREETING: hello}
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        """;

    [Fact]
    public async Task Deploy_PublishesConversionStartAndEachWrite_ThenAnUnchangedRedeployWritesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var sink = new RecordingSink();

        var deployed = await Service.DeployAsync(Request(Compose) with { Detach = true }, sink, ct);

        Assert.Equal(StackOrchestrator.Kubernetes, deployed.Orchestrator);
        Assert.Equal("shop", deployed.Namespace);
        Assert.True(deployed.Converged);
        Assert.Contains("Deployment/web", deployed.Created);
        Assert.Contains("Deployment/worker", deployed.Created);
        // Issue 10: a successful deploy also records its revision (one Secret), which is not an object of the stack.
        Assert.Equal(Double.Writes, deployed.Writes + 1);
        Assert.Equal(1, deployed.Revision);
        var events = sink.Events;
        Assert.IsType<StackConverted>(events[0]);
        var starting = Assert.IsType<DeployStarting>(events[1]);
        Assert.Equal(("demo", "shop"), (starting.Stack, starting.Namespace));
        Assert.Contains("context \"double\"", starting.Source, StringComparison.Ordinal);
        var writes = events.Skip(2).OfType<ObjectWriting>().ToList();
        Assert.All(writes, w => Assert.Equal(ObjectStep.Create, w.Step));
        Assert.Equal(deployed.Writes, writes.Count);
        Assert.All(deployed.Created, id => Assert.Contains(id, writes.Select(w => $"{w.Kind}/{w.Name}")));

        // Unchanged: reads only, the same number each time, and no write event.
        var (writesBefore, readsBefore) = (Double.Writes, Double.Reads);
        var again = new RecordingSink();
        var redeployed = await Service.DeployAsync(Request(Compose) with { Detach = true }, again, ct);
        var firstReads = Double.Reads - readsBefore;
        await Service.DeployAsync(Request(Compose) with { Detach = true }, new RecordingSink(), ct);
        Assert.Equal(0, redeployed.Writes);
        Assert.Equal(writesBefore, Double.Writes);
        Assert.Equal(firstReads, Double.Reads - readsBefore - firstReads);
        Assert.True(firstReads > 0);
        Assert.DoesNotContain(again.Events, e => e is ObjectWriting);
        Assert.Equal(deployed.Created.Length, redeployed.Unchanged.Length);
    }

    [Fact]
    public async Task Plan_ReadsOnly_AndNamesTheChangedObject()
    {
        var ct = TestContext.Current.CancellationToken;
        await Service.DeployAsync(Request(Compose) with { Detach = true }, new RecordingSink(), ct);
        var writes = Double.Writes;

        var same = await Service.PlanAsync(Request(Compose), new RecordingSink(), ct);
        var changed = await Service.PlanAsync(Request(Compose.Replace("GREETING: hello", "GREETING: changed", StringComparison.Ordinal)), new RecordingSink(), ct);

        Assert.False(same.HasChanges);
        Assert.True(same.Unchanged > 0);
        var update = Assert.Single(changed.Changes);
        Assert.Equal(("update", "Deployment", "web"), (update.Action, update.Kind, update.Name));
        Assert.Contains(update.Fields, f => f.Contains("env[GREETING]", StringComparison.Ordinal));
        Assert.Equal(writes, Double.Writes);
    }

    [Fact]
    public async Task DeployAndWait_EndsWithConvergence_ThenListServicesTasksAndRemove()
    {
        var ct = TestContext.Current.CancellationToken;
        Double.Controllers.Enabled = true;
        var sink = new RecordingSink();

        var deployed = await Service.DeployAsync(Request(Compose) with { Timeout = TimeSpan.FromSeconds(60) }, sink, ct);

        Assert.True(deployed.Converged, string.Join('\n', deployed.Failures));
        var finished = Assert.IsType<ConvergenceFinished>(sink.Events[^1]);
        Assert.True(finished.Converged);
        Assert.Equal(["web", "worker"], finished.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(finished.Services, s => Assert.True(s.Done));
        var lastWrite = sink.Events.ToList().FindLastIndex(e => e is ObjectWriting);
        Assert.All(sink.Events.Skip(lastWrite + 1).SkipLast(1), e => Assert.IsType<ServicesProgressed>(e));

        Assert.Equal([new StackSummary("demo", 2, StackOrchestrator.Kubernetes, "shop")], await Service.ListAsync(new StackListOptions(), ct));

        var services = await Service.ServicesAsync("demo", [], ct);
        Assert.Equal(["web", "worker"], services.Select(s => s.Name));
        Assert.Equal(new ReplicaCounts(2, 2), services[0].Replicas);
        Assert.Equal("replicated", services[0].Mode);
        Assert.Equal(["worker"], (await Service.ServicesAsync("demo", ["name=demo_work"], ct)).Select(s => s.Name));

        var tasks = await Service.TasksAsync("demo", [], ct);
        Assert.Equal(3, tasks.Length);
        Assert.All(tasks, t => Assert.Equal(("Running", 0), (t.DesiredState, t.Restarts ?? -1)));
        Assert.Equal(2, (await Service.TasksAsync("demo", ["service=web"], ct)).Length);

        var removal = new RecordingSink();
        var removed = await Service.RemoveAsync("demo", new StackRemoveOptions(), removal, ct);

        Assert.True(removed.Found);
        Assert.Contains("Deployment/web", removed.Removed);
        Assert.Equal(removed.Removed, removal.Events.Cast<ObjectWriting>().Select(w => $"{w.Kind}/{w.Name}"));
        Assert.All(removal.Events.Cast<ObjectWriting>(), w => Assert.Equal(ObjectStep.Remove, w.Step));
        Assert.Empty(Double.List("deployments.apps", "shop"));
        Assert.Empty(await Service.ServicesAsync("demo", [], ct));
    }

    [Fact]
    public async Task AFilterKubernetesCannotApply_IsAUsageError_AndAMissingKubeconfigAnOrchestratorError()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = Double.Requests.Count;

        var usage = await Assert.ThrowsAsync<StackUsageException>(() => Service.TasksAsync("demo", ["desired-state=running"], ct));

        Assert.Equal("invalid filter 'desired-state' for Kubernetes: use one of id, name, node, service", usage.Message);
        Assert.Equal(requests, Double.Requests.Count);
        using var missing = StackServices.Kubernetes(new KubernetesAccessOptions { Kubeconfig = Path.Combine(Folder, "nosuch") }, _ => null);
        var error = await Assert.ThrowsAsync<StackOrchestratorException>(() => missing.ListAsync(new StackListOptions(), ct));
        Assert.Contains("nosuch", error.Message, StringComparison.Ordinal);
    }

    private static StackDeployRequest Request(string yaml) => new("demo", Projects.Load("demo", yaml));
}
