using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Observe;
using static Berth.Kubernetes.Tests.Observe.StackSeeds;
using PodProblem = Berth.Kubernetes.ApiDouble.PodProblem;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Observe;

/// <summary>
/// RolloutWaiter against the Kubernetes API test double with its simulated controllers (an in-process stand-in for
/// the API server, controller-manager and kubelet; not a cluster): pods and workload status come from the simulation.
/// </summary>
public sealed class RolloutWaiterSimulationTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly WorkloadRef[] Stack =
    [
        new("Deployment", "web", "web"), new("StatefulSet", "db", "db"), new("DaemonSet", "agent", "agent"), new("Job", "migrate", "migrate"),
    ];

    private static async Task<KubernetesApiDouble> StartAsync(Action<SimulatedControllers>? before = null)
    {
        var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Controllers.Enabled = true;
        before?.Invoke(api.Controllers);
        Deployment(api, "shop", "shop", "web", replicas: 2);
        StatefulSet(api, "shop", "shop", "db");
        DaemonSet(api, "shop", "shop", "agent");
        Job(api, "shop", "shop", "migrate");
        return api;
    }

    [Fact]
    public async Task WaitAsync_SimulatedControllers_StackBecomesReady_ConvergesWithProgressPerService()
    {
        await using var api = await StartAsync();
        using var client = api.CreateClient();
        var reporter = new RecordingReporter();

        var result = await new RolloutWaiter(client, "shop", reporter).WaitAsync("shop", Stack, Long, Long, TimeSpan.FromSeconds(30), Ct);

        Assert.True(result.Converged, string.Join('\n', result.Failures));
        Assert.Equal(
            ["web 2/2 ready", "db 1/1 ready", "agent 1/1 ready", "migrate 1/1 complete"],
            reporter.Completed!.Select(p => $"{p.Name} {p.Running}/{p.Desired} {p.State}"));
        Assert.All(reporter.Updates, u => Assert.Equal(["web", "db", "agent", "migrate"], u.Select(p => p.Name)));

        // One LIST per kind and one of pods; every later change came by watch. No event LIST: nothing went wrong.
        var lists = api.Requests.Where(r => r.Verb == "list").Select(r => r.Resource).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["daemonsets.apps", "deployments.apps", "jobs.batch", "pods", "statefulsets.apps"], lists);
        Assert.InRange(api.Requests.Count(r => r.Verb == "watch"), 0, 5);
        Assert.Equal(0, api.Writes);
    }

    [Fact]
    public async Task WaitAsync_SimulatedControllers_PodsStartOneAtATime_ProgressClimbsAndConverges()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        api.Controllers.Enabled = true;
        api.Controllers.StartPodsOneAtATime = true;

        // Each pod starts a pass after the last; passes 500 ms apart (not the default 50 ms) so that a loaded machine
        // still lets the waiter see a partial rollout before the last pod is ready (once it saw only 3/3).
        api.Controllers.Delay = TimeSpan.FromMilliseconds(500);
        Deployment(api, "shop", "shop", "web", replicas: 3);
        using var client = api.CreateClient();
        var reporter = new RecordingReporter();

        var result = await new RolloutWaiter(client, "shop", reporter).WaitAsync("shop", [new("Deployment", "web", "web")], Long, Long, TimeSpan.FromSeconds(30), Ct);

        Assert.True(result.Converged, string.Join('\n', result.Failures));
        var running = reporter.Updates.Select(u => u.Single().Running).Append(reporter.Completed!.Single().Running).ToList();
        Assert.Equal(running.Order(), running);
        Assert.Contains(running, r => r is > 0 and < 3);
        Assert.Equal(3UL, running[^1]);
    }

    [Theory]
    [InlineData(PodProblem.ImagePullBackOff, "web: ImagePullBackOff: ")]
    [InlineData(PodProblem.CrashLoopBackOff, "web: CrashLoopBackOff: ")]
    [InlineData(PodProblem.Unschedulable, "web: Unschedulable: 0/")]
    [InlineData(PodProblem.OOMKilled, "web: OOMKilled: container ")]
    public async Task WaitAsync_SimulatedControllers_FailedPods_FailWithinFailFastAfterWithReasonAndEvent(PodProblem problem, string firstLine)
    {
        await using var api = await StartAsync(c => c.FailPods("web", problem));
        using var client = api.CreateClient();
        var reporter = new RecordingReporter();

        var result = await new RolloutWaiter(client, "shop", reporter).WaitAsync("shop", Stack, Long, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(100), Ct);

        Assert.False(result.Converged);
        Assert.StartsWith(firstLine, result.Failures[0], StringComparison.Ordinal);
        Assert.Contains(result.Failures, f => f.StartsWith("web: event ", StringComparison.Ordinal));
        Assert.All(result.Failures, f => Assert.StartsWith("web: ", f, StringComparison.Ordinal));

        // Both pods have the same problem: said once, not once per pod.
        Assert.Single(result.Failures, f => !f.StartsWith("web: event ", StringComparison.Ordinal));
        Assert.Contains(reporter.Completed!, p => p.Name == "web" && p.Failed && !p.Done);
        Assert.Contains(reporter.Completed!, p => p.Name == "db" && p.Done);
    }

    [Fact]
    public async Task WaitAsync_SimulatedControllers_ReadinessProbeFailed_NotConvergedAtTimeoutShowingTheProbe()
    {
        await using var api = await StartAsync(c => c.FailPods("web", PodProblem.ReadinessProbeFailed));
        using var client = api.CreateClient();
        var reporter = new RecordingReporter();

        var result = await new RolloutWaiter(client, "shop", reporter).WaitAsync("shop", Stack, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), Ct);

        Assert.False(result.Converged);
        Assert.StartsWith("web: Unhealthy: Readiness probe failed", result.Failures[0], StringComparison.Ordinal);
        Assert.Contains(reporter.Updates.SelectMany(u => u), p => p.Name == "web" && p.State.Contains("Readiness probe failed", StringComparison.Ordinal));
        Assert.DoesNotContain(reporter.Completed!, p => p.Failed);
    }

    [Fact]
    public async Task WaitAsync_SimulatedControllers_ProblemCleared_RecoversBeforeFailing()
    {
        await using var api = await StartAsync(c => c.FailPods("web", PodProblem.ImagePullBackOff));
        using var client = api.CreateClient();
        var reporter = new RecordingReporter();

        var wait = new RolloutWaiter(client, "shop", reporter).WaitAsync("shop", Stack, Long, Long, TimeSpan.FromMilliseconds(100), Ct);
        await Poll.UntilAsync(() => reporter.Updates.SelectMany(u => u).Any(p => p.State.StartsWith("ImagePullBackOff", StringComparison.Ordinal)), "an ImagePullBackOff report", Ct);

        // As after fixing the image: new pods start. The simulation reacts to a workload write.
        api.Controllers.ClearProblems("web");
        Deployment(api, "shop", "shop", "web", replicas: 2, image: "nginx:1.28");
        var result = await wait;

        Assert.True(result.Converged, string.Join('\n', result.Failures));
    }
}
