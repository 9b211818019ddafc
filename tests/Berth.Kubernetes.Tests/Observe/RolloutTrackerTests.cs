using Berth.Kubernetes.Observe;
using k8s.Models;
using static Berth.Kubernetes.Tests.Observe.KubeObjects;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class RolloutTrackerTests
{
    private static readonly WorkloadRef Web = new("Deployment", "web", "web");
    private static readonly WorkloadRef Db = new("StatefulSet", "db", "db");

    private static readonly V1Deployment Rolling = Parse<V1Deployment>("""
        {"metadata":{"name":"web","generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"availableReplicas":0}}
        """);

    private static readonly V1Deployment Ready = Parse<V1Deployment>("""
        {"metadata":{"name":"web","generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}}
        """);

    [Fact]
    public void HardProblem_ShowsAtOnce_FailsOnlyAfterFailFastAfter()
    {
        var tracker = new RolloutTracker([Web], TimeSpan.FromSeconds(30));
        var pods = new[] { Pod("web-1", "web", ImagePullBackOff) };

        var first = Assert.Single(tracker.Observe(_ => Rolling, pods, [], Now));
        var later = Assert.Single(tracker.Observe(_ => Rolling, pods, [], Now.AddSeconds(29)));
        var failed = Assert.Single(tracker.Observe(_ => Rolling, pods, [], Now.AddSeconds(30)));

        Assert.Equal("ImagePullBackOff: Back-off pulling image \"nginx:nope\"", first.Progress.State);
        Assert.False(first.Progress.Failed);
        Assert.False(later.Progress.Failed);
        Assert.True(failed.Progress.Failed);
        Assert.Equal((0UL, 2UL), (failed.Progress.Running, failed.Progress.Desired));
    }

    [Fact]
    public void CrashLoop_SeenHealthyBetweenRestarts_StillFailsWhenTheLoopLasts()
    {
        var tracker = new RolloutTracker([Web], TimeSpan.FromSeconds(30));

        tracker.Observe(_ => Rolling, [Pod("web-1", "web", CrashLoop)], [], Now);
        tracker.Observe(_ => Rolling, [Pod("web-1", "web", CrashLoopBetweenRestarts)], [], Now.AddSeconds(15));
        var failed = Assert.Single(tracker.Observe(_ => Rolling, [Pod("web-1", "web", CrashLoop)], [], Now.AddSeconds(31)));

        Assert.True(failed.Progress.Failed);
        Assert.StartsWith("CrashLoopBackOff: back-off", failed.Progress.State, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_ResetsTheFailFastClock()
    {
        var tracker = new RolloutTracker([Web], TimeSpan.FromSeconds(30));
        var oneAvailable = Parse<V1Deployment>("""
            {"metadata":{"name":"web","generation":1},"spec":{"replicas":2},"status":{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":1,"availableReplicas":1}}
            """);

        tracker.Observe(_ => Rolling, [Pod("web-1", "web", ImagePullBackOff)], [], Now);
        tracker.Observe(_ => oneAvailable, [Pod("web-1", "web", RunningReady)], [], Now.AddSeconds(20));
        var result = Assert.Single(tracker.Observe(_ => oneAvailable, [Pod("web-2", "web", ImagePullBackOff)], [], Now.AddSeconds(40)));

        Assert.False(result.Progress.Failed);
    }

    [Fact]
    public void ProbeFailure_ShowsButNeverFailsFast()
    {
        var tracker = new RolloutTracker([Web], TimeSpan.FromSeconds(1));
        var events = new[] { Event("Pod", "web-1", "Unhealthy", "Readiness probe failed: connection refused", Now) };

        var result = Assert.Single(tracker.Observe(_ => Rolling, [Pod("web-1", "web", RunningUnready)], events, Now.AddMinutes(2)));

        Assert.Equal("Unhealthy: Readiness probe failed: connection refused", result.Progress.State);
        Assert.False(result.Progress.Failed);
        Assert.False(result.Progress.Done);
    }

    [Fact]
    public void DoneService_IgnoresLeftoverProblems_AndEachServiceIsJudgedAlone()
    {
        var tracker = new RolloutTracker([Web, Db], TimeSpan.FromSeconds(30));
        var pods = new[] { Pod("web-old", "web", CrashLoop), Pod("db-0", "db", Unschedulable) };

        var services = tracker.Observe(w => w.Kind == "Deployment" ? Ready : null, pods, [], Now);

        Assert.Equal(["web", "db"], services.Select(s => s.Service));
        Assert.Equal(new Berth.Stacks.Progress.ServiceProgress("web", 2, 2, "ready", Done: true, Failed: false), services[0].Progress);
        Assert.Empty(services[0].Problems);
        Assert.StartsWith("Unschedulable: 0/3 nodes are available", services[1].Progress.State, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingWorkload_IsReportedAsMissing()
    {
        var tracker = new RolloutTracker([Web], TimeSpan.FromSeconds(30));

        var result = Assert.Single(tracker.Observe(_ => null, [], [], Now));

        Assert.Equal("missing", result.Progress.State);
        Assert.False(result.Progress.Done);
    }
}
