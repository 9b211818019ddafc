using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Observe;
using static Berth.Kubernetes.Tests.Observe.StackSeeds;

namespace Berth.Kubernetes.Tests.Observe;

/// <summary>
/// RolloutWaiter against the Kubernetes API test double (an in-process stand-in for the API server, not a cluster):
/// workload status and pods are seeded or set the way the controllers and kubelet would.
/// </summary>
public sealed class RolloutWaiterDoubleTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string NotAvailable = """{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":0,"availableReplicas":0}""";
    private const string Available = """{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}""";

    [Fact]
    public async Task WaitAsync_TestDouble_StatusChangesArriveByWatch_ConvergesWithOneListPerKind()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Deployment(api, "shop", "shop", "web");
        StatefulSet(api, "shop", "shop", "db");
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);
        WorkloadRef[] workloads = [new("Deployment", "web", "web"), new("StatefulSet", "db", "db")];

        // A long poll interval: only the watches can bring the status changes in before it.
        var wait = waiter.WaitAsync("shop", workloads, Long, Long, TimeSpan.FromSeconds(30), Ct);
        await reporter.FirstUpdateAsync(Ct);
        api.SetStatus("deployments.apps", "shop", "web", Status(Available));
        api.SetStatus("statefulsets.apps", "shop", "db", Status("""{"observedGeneration":1,"replicas":1,"readyReplicas":1,"updatedReplicas":1,"currentRevision":"db-1","updateRevision":"db-1"}"""));
        var result = await wait;

        Assert.True(result.Converged);
        Assert.Empty(result.Failures);
        Assert.True(reporter.Converged);
        Assert.Equal(["web 2/2 ready", "db 1/1 ready"], reporter.Completed!.Select(p => $"{p.Name} {p.Running}/{p.Desired} {p.State}"));
        Assert.Contains(reporter.Updates[0], p => p.Name == "web" && p.State == "pending" && !p.Done);
        var requests = api.Requests;
        Assert.Equal(1, requests.Count(r => r.Verb == "list" && r.Resource == "deployments.apps"));
        Assert.Equal(1, requests.Count(r => r.Verb == "list" && r.Resource == "statefulsets.apps"));
        Assert.Equal(1, requests.Count(r => r.Verb == "list" && r.Resource == "pods"));
        Assert.Contains(requests, r => r.Verb == "watch" && r.Resource == "deployments.apps" && r.Query.Contains("labelSelector=com.docker.stack.namespace%3Dshop", StringComparison.Ordinal));
        Assert.Equal(0, api.Writes);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_AlreadySettledStack_CostsOneListPerKindAndNoWatch()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Deployment(api, "shop", "shop", "web", status: Available);
        Job(api, "shop", "shop", "migrate", status: """{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}""");
        var reporter = new RecordingReporter();

        var result = await new RolloutWaiter(client, "shop", reporter).WaitAsync("shop", [new("Deployment", "web", "web"), new("Job", "migrate", "migrate")], Long, Long, TimeSpan.FromSeconds(1), Ct);

        Assert.True(result.Converged);
        Assert.Equal(["deployments.apps", "jobs.batch", "pods"], api.Requests.Select(r => $"{r.Verb} {r.Resource}").Order(StringComparer.Ordinal).Select(r => r.Replace("list ", "", StringComparison.Ordinal)));
        Assert.Empty(reporter.Updates);
        Assert.True(reporter.Converged);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_WatchForbidden_FallsBackToPolling()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Deny("watch", "deployments.apps", "shop");
        Deployment(api, "shop", "shop", "web", status: NotAvailable);
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);

        var wait = waiter.WaitAsync("shop", [new("Deployment", "web", "web")], Long, Long, TimeSpan.FromMilliseconds(50), Ct);
        await reporter.FirstUpdateAsync(Ct);
        api.SetStatus("deployments.apps", "shop", "web", Status(Available));
        var result = await wait;

        Assert.True(result.Converged);
        Assert.True(api.Requests.Count(r => r.Verb == "list" && r.Resource == "deployments.apps") >= 2);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_ImagePullBackOff_FailsFastWithReasonAndEvent()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Deployment(api, "shop", "shop", "web", status: NotAvailable);
        Deployment(api, "shop", "shop", "api", status: Available);
        Pod(api, "shop", "shop", "web", "web-5d8-x1", KubeObjects.ImagePullBackOff);
        Event(api, "shop", "Pod", "web-5d8-x1", "Failed", "Failed to pull image \"nginx:nope\": manifest unknown", DateTime.UtcNow);
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);

        var result = await waiter.WaitAsync("shop", [new("Deployment", "web", "web"), new("Deployment", "api", "api")], Long, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50), Ct);

        Assert.False(result.Converged);
        Assert.Equal(
            ["web: ImagePullBackOff: Back-off pulling image \"nginx:nope\" (0/2 ready)", "web: event Failed: Failed to pull image \"nginx:nope\": manifest unknown"],
            result.Failures);
        Assert.Contains(reporter.Updates.SelectMany(u => u), p => p.Name == "web" && p.State.StartsWith("ImagePullBackOff", StringComparison.Ordinal) && !p.Failed);
        Assert.Contains(reporter.Completed!, p => p.Name == "web" && p.Failed);
        Assert.Contains(reporter.Completed!, p => p.Name == "api" && p.Done);
        Assert.False(reporter.Converged);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_EventsForbidden_StillFailsWithThePodsReason()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Deny("list", "events", "shop");
        Deployment(api, "shop", "shop", "web", status: NotAvailable);
        Pod(api, "shop", "shop", "web", "web-5d8-x1", KubeObjects.ImagePullBackOff);
        Event(api, "shop", "Pod", "web-5d8-x1", "Failed", "not readable with this role", DateTime.UtcNow);

        var result = await new RolloutWaiter(client, "shop", new RecordingReporter())
            .WaitAsync("shop", [new("Deployment", "web", "web")], Long, TimeSpan.Zero, TimeSpan.FromMilliseconds(50), Ct);

        Assert.False(result.Converged);
        Assert.Equal(["web: ImagePullBackOff: Back-off pulling image \"nginx:nope\" (0/2 ready)"], result.Failures);
        Assert.Contains(api.Requests, r => r.Verb == "list" && r.Resource == "events" && r.StatusCode == 403);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_ReadinessProbeFailing_NotConvergedAtTimeoutWithProbeMessage()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Deployment(api, "shop", "shop", "web", status: NotAvailable);
        Pod(api, "shop", "shop", "web", "web-5d8-x1", KubeObjects.RunningUnready);
        Event(api, "shop", "Pod", "web-5d8-x1", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", DateTime.UtcNow);
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);

        // failFastAfter is short: a failing probe must still be waited for until the timeout.
        var result = await waiter.WaitAsync("shop", [new("Deployment", "web", "web")], TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), Ct);

        Assert.False(result.Converged);
        Assert.Equal("web: Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 (0/2 ready)", result.Failures[0]);
        Assert.Contains("web: event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503", result.Failures);
        Assert.Contains(reporter.Updates.SelectMany(u => u), p => p.State.Contains("Readiness probe failed", StringComparison.Ordinal) && !p.Failed);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_Cancelled_ThrowsOperationCanceled()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Deployment(api, "shop", "shop", "web", status: NotAvailable);
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var wait = waiter.WaitAsync("shop", [new("Deployment", "web", "web")], Long, Long, TimeSpan.FromSeconds(30), cancel.Token);
        await reporter.FirstUpdateAsync(Ct);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Null(reporter.Completed);
    }

    [Fact]
    public async Task WaitAsync_TestDouble_JobAndDaemonSet_DoneWhenCompleteAndAllAvailable()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Job(api, "shop", "shop", "migrate", status: """{"active":1}""");
        DaemonSet(api, "shop", "shop", "agent", status: """{"observedGeneration":1,"desiredNumberScheduled":1,"currentNumberScheduled":1,"updatedNumberScheduled":1,"numberAvailable":1,"numberReady":1,"numberMisscheduled":0}""");
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);

        var wait = waiter.WaitAsync("shop", [new("Job", "migrate", "migrate"), new("DaemonSet", "agent", "agent")], Long, Long, TimeSpan.FromSeconds(30), Ct);
        await reporter.FirstUpdateAsync(Ct);
        api.SetStatus("jobs.batch", "shop", "migrate", Status("""{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}"""));
        var result = await wait;

        Assert.True(result.Converged);
        Assert.Equal(["migrate 1/1 complete", "agent 1/1 ready"], reporter.Completed!.Select(p => $"{p.Name} {p.Running}/{p.Desired} {p.State}"));
    }

    [Fact]
    public async Task WaitAsync_TestDouble_ClientWithoutHttpAccess_PollsWithoutWatching()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = ForwardingClient.Wrap(api.CreateClient());
        Deployment(api, "shop", "shop", "web", status: NotAvailable);
        var reporter = new RecordingReporter();
        var waiter = new RolloutWaiter(client, "shop", reporter);

        var wait = waiter.WaitAsync("shop", [new("Deployment", "web", "web")], Long, Long, TimeSpan.FromMilliseconds(50), Ct);
        await reporter.FirstUpdateAsync(Ct);
        api.SetStatus("deployments.apps", "shop", "web", Status(Available));
        var result = await wait;

        Assert.True(result.Converged);
        Assert.DoesNotContain(api.Requests, r => r.Verb == "watch");
        Assert.True(api.Requests.Count(r => r.Verb == "list" && r.Resource == "deployments.apps") >= 2);
        Assert.Equal(api.Requests.Count(r => r.Verb == "list" && r.Resource == "deployments.apps"), api.Requests.Count(r => r.Verb == "list" && r.Resource == "pods"));
    }

    /// <summary>An IKubernetes that is not a k8s.Kubernetes (as a decorator or a mock would be): no HttpClient to watch with.</summary>
    private class ForwardingClient : System.Reflection.DispatchProxy
    {
        private k8s.IKubernetes? _target;

        public static k8s.IKubernetes Wrap(k8s.IKubernetes target)
        {
            var proxy = Create<k8s.IKubernetes, ForwardingClient>();
            ((ForwardingClient)(object)proxy)._target = target;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            try
            {
                return targetMethod!.Invoke(_target, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                throw e.InnerException;
            }
        }
    }
}
