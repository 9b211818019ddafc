using Berth.Kubernetes.Observe;
using static Berth.Kubernetes.Tests.Observe.KubeObjects;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class RolloutFailuresTests
{
    [Fact]
    public void WarningEvents_OfPodsWorkloadAndReplicaSets_NewestFirst_AtMostThree()
    {
        var pods = new Dictionary<string, string> { ["web-7d9-abc"] = "web", ["web-api-55-x"] = "web-api" };
        var workloads = new Dictionary<string, string> { ["web"] = "web", ["web-api"] = "web-api" };
        var events = new[]
        {
            Event("Pod", "web-7d9-abc", "Failed", "Failed to pull image \"nginx:nope\": not found", Now.AddSeconds(-10)),
            Event("Pod", "web-7d9-abc", "BackOff", "Back-off pulling image \"nginx:nope\"", Now.AddSeconds(-1)),
            Event("ReplicaSet", "web-7d9", "FailedCreate", "exceeded quota: pods", Now.AddSeconds(-5)),
            Event("Deployment", "web", "Old", "the oldest", Now.AddSeconds(-60)),
            Event("Pod", "web-7d9-abc", "Pulling", "Pulling image", Now, type: "Normal"),
            Event("Pod", "web-api-55-x", "BackOff", "not web's", Now),
            Event("Pod", "web-gone-1", "Killing", "a replaced pod of web", Now.AddSeconds(-20)),
            Event("Node", "node-1", "NodeNotReady", "not a service's", Now),
        };

        var lines = WarningEvents.For(events, pods, workloads, "web");

        Assert.Equal(
            ["BackOff: Back-off pulling image \"nginx:nope\"", "FailedCreate: exceeded quota: pods", "Failed: Failed to pull image \"nginx:nope\": not found"],
            lines);
        Assert.Equal(["BackOff: not web's"], WarningEvents.For(events, pods, workloads, "web-api"));
    }

    [Fact]
    public void Lines_NameEachUnfinishedServiceWithStateCountsProblemsAndEvents()
    {
        var tracker = new RolloutTracker([new WorkloadRef("Deployment", "web", "web"), new WorkloadRef("Job", "migrate", "migrate")], TimeSpan.Zero);
        var pods = new[] { Pod("web-1", "web", ImagePullBackOff), Pod("web-2", "web", Unschedulable) };
        var job = Parse<k8s.Models.V1Job>("""{"metadata":{"name":"migrate"},"spec":{"template":{}},"status":{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}}""");
        var services = tracker.Observe(w => w.Kind == "Job" ? job : null, pods, [], Now);

        var lines = RolloutFailures.Lines(services, s => s == "web" ? ["BackOff: Back-off pulling image \"nginx:nope\""] : ["never shown"]);

        Assert.Equal(
            [
                "web: ImagePullBackOff: Back-off pulling image \"nginx:nope\" (0/0 ready)",
                "web: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
                "web: event BackOff: Back-off pulling image \"nginx:nope\"",
            ],
            lines);
    }

    [Fact]
    public void Lines_NeverContainSecretContent_OnlyWhatTheApiReported()
    {
        // A pod whose spec carries a secret value in an env var (as a careless manifest might): only the status speaks.
        const string Secret = "s3cr3t-value";
        var pod = Pod("web-1", "web", ConfigError, spec: $$"""{"containers":[{"name":"web","image":"nginx","env":[{"name":"PASSWORD","value":"{{Secret}}"}]}]}""");
        var tracker = new RolloutTracker([new WorkloadRef("Deployment", "web", "web")], TimeSpan.Zero);
        var services = tracker.Observe(_ => null, [pod], [], Now);

        var lines = RolloutFailures.Lines(services, _ => []);

        Assert.Equal(["web: CreateContainerConfigError: secret \"db-password\" not found (0/0 ready)"], lines);
        Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal));
    }
}
