using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Stacks.Events;

namespace Berth.StackService.Tests;

/// <summary>
/// <see cref="IStackService.ScaleAsync"/> on Kubernetes against the API double with its simulated controllers:
/// the one write per scaled workload, the rollout wait, refusals before any write, and the next deploy restoring
/// the Compose file's replicas.
/// </summary>
public sealed class KubernetesStackScaleTests : KubernetesLayerTest
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            deploy: {replicas: 2}
          db:
            image: postgres:16
            volumes: [data:/var/lib/postgresql/data]
          agent:
            image: busybox:1.36
            command: ["sleep", "3600"]
            deploy: {mode: global}
          migrate:
            image: busybox:1.36
            command: ["true"]
            deploy: {mode: replicated-job}
        volumes:
          data: {}
        """;

    [Fact]
    public async Task Scale_PatchesReplicasUnderItsOwnManager_WaitsForTheRollout_AndDeployRestoresTheFile()
    {
        var ct = TestContext.Current.CancellationToken;
        Double.Controllers.Enabled = true;
        var deployed = await Service.DeployAsync(Request() with { Timeout = TimeSpan.FromSeconds(60) }, new RecordingSink(), ct);
        Assert.True(deployed.Converged, string.Join('\n', deployed.Failures));
        Double.ClearRequests();

        var sink = new RecordingSink();
        var result = await Service.ScaleAsync("demo", [new("web", 4), new("db", 1)], new StackScaleOptions { Timeout = TimeSpan.FromSeconds(60) }, sink, ct);

        Assert.False(result.Invalid);
        Assert.True(result.Converged, string.Join('\n', result.Failures));
        Assert.Equal([new StackScaled("web", "Deployment/web", 2, 4), new StackScaled("db", "StatefulSet/db", 1, 1)], result.Scaled);
        Assert.Equal(1, result.Writes);
        var write = Assert.Single(Double.Requests, r => r.IsWrite);
        Assert.Equal(("patch", "deployments.apps", "web", "application/apply-patch+yaml"), (write.Verb, write.Resource, write.Name, write.ContentType));
        Assert.Contains("fieldManager=berth-scale", write.Query, StringComparison.Ordinal);
        Assert.Contains("force=true", write.Query, StringComparison.Ordinal);
        Assert.Equal(4, (int)Double.Get("deployments.apps", "shop", "web")!["spec"]!["replicas"]!);

        // Only the one field was applied: the deploy's template is intact.
        Assert.Equal("nginx:1.27", (string)Double.Get("deployments.apps", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!);
        var writing = Assert.Single(sink.Events.OfType<ObjectWriting>());
        Assert.Equal((ObjectStep.Update, "Deployment", "web"), (writing.Step, writing.Kind, writing.Name));
        var finished = Assert.IsType<ConvergenceFinished>(sink.Events[^1]);
        Assert.True(finished.Converged);
        Assert.Contains(finished.Services, s => s.Running == 4 && s.Desired == 4);

        // Reads before the write: the stack's workloads and Services (one LIST per kind) and the namespace's autoscalers.
        var readsBeforeWrite = Double.Requests.TakeWhile(r => !r.IsWrite).ToList();
        Assert.Contains(readsBeforeWrite, r => r is { Verb: "list", Resource: "horizontalpodautoscalers.autoscaling" });
        Assert.All(readsBeforeWrite, r => Assert.Equal("list", r.Verb));

        // The next deploy sets the file's count again (as docker stack deploy after docker service scale).
        var redeployed = await Service.DeployAsync(Request() with { Detach = true }, new RecordingSink(), ct);
        Assert.Contains("Deployment/web", redeployed.Updated);
        Assert.Equal(2, (int)Double.Get("deployments.apps", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Scale_RefusesGlobalJobUnknownAndAutoscaled_BeforeAnyWrite()
    {
        var ct = TestContext.Current.CancellationToken;
        await Service.DeployAsync(Request() with { Detach = true }, new RecordingSink(), ct);
        Double.Seed("""
            {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
             "metadata": {"name": "web-cpu", "namespace": "shop"},
             "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 5}}
            """);
        var writes = Double.Writes;

        var result = await Service.ScaleAsync("demo", [new("db", 3), new("agent", 2), new("migrate", 2), new("nosuch", 1), new("web", 3)], new StackScaleOptions(), new RecordingSink(), ct);

        Assert.True(result.Invalid);
        Assert.Equal(writes, Double.Writes);
        Assert.Equal(0, result.Writes);
        Assert.Equal(["agent", "migrate", "nosuch", "web"], result.Refused.Select(r => r.Service));
        Assert.Contains("global", result.Refused[0].Reason, StringComparison.Ordinal);
        Assert.Contains("job", result.Refused[1].Reason, StringComparison.Ordinal);
        Assert.Equal("no service nosuch in stack demo (namespace shop)", result.Refused[2].Reason);
        Assert.Contains("HorizontalPodAutoscaler web-cpu", result.Refused[3].Reason, StringComparison.Ordinal);
        Assert.Equal(["agent", "db", "migrate", "web"], result.Services);
        Assert.Equal(1, (int)Double.Get("statefulsets.apps", "shop", "db")!["spec"]!["replicas"]!);
    }

    private static StackDeployRequest Request() => new("demo", Projects.Load("demo", Compose));
}
