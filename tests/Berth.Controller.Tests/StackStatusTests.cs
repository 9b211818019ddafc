using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Controller.Tests;

/// <summary>
/// The stack's per-service status as berth-controller writes it: berth-apiserver (in-process, real etcd) behind
/// the Kubernetes API test double acting as kube-apiserver (<see cref="FrontFixture"/>) — the documented double,
/// not a cluster — whose simulated controllers make the pods (and fail them on request: PodProblem).
/// </summary>
public sealed class StackStatusTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ControllerSteps _steps = new(front);

    private const string Mixed = """
        services:
          web:
            image: nginx:1.25
            deploy:
              replicas: 2
          db:
            image: postgres:16
            volumes: ["data:/var/lib/postgresql/data"]
          agent:
            image: busybox:1.36
            command: ["sleep", "3600"]
            deploy:
              mode: global
        volumes:
          data: {}
        """;

    private static JsonObject Service(JsonObject status, string name) => (JsonObject)status["services"]![name]!;

    [Fact]
    public async Task EachService_ReportsItsKindAndReplicas_AndTheStackIsAvailable_OnceEveryPodIsReady()
    {
        const string ns = "status-mixed";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "mixed", Mixed);
        await using var controller = _steps.StartController(ns);

        var status = await _steps.WaitForStatusAsync(ns, "mixed", s => s["phase"]?.ToString() == "Available", "the stack to be Available");

        Assert.Equal("True/Available", ControllerSteps.Condition(status, "Ready"));
        Assert.Equal("False/Available", ControllerSteps.Condition(status, "Progressing"));
        Assert.Equal(["agent", "db", "web"], ((JsonObject)status["services"]!).Select(s => s.Key).Order(StringComparer.Ordinal));
        Assert.Equal("""{"kind":"Deployment","desired":2,"updated":2,"ready":2,"available":2}""", Service(status, "web").ToJsonString());
        Assert.Equal("""{"kind":"StatefulSet","desired":1,"updated":1,"ready":1,"available":1}""", Service(status, "db").ToJsonString());
        Assert.Equal("""{"kind":"DaemonSet","desired":1,"updated":1,"ready":1,"available":1}""", Service(status, "agent").ToJsonString());
        Assert.Equal("3 service(s) ready", status["message"]?.ToString());
    }

    [Theory]
    [InlineData(PodProblem.CrashLoopBackOff, "CrashLoopBackOff")]
    [InlineData(PodProblem.ImagePullBackOff, "ImagePullBackOff")]
    public async Task AFailingPod_MakesTheStackFail_WithItsReason_AndTheStackRecovers_WhenThePodDoes(PodProblem problem, string reason)
    {
        var ns = $"status-{reason.ToLowerInvariant()}";
        var service = $"api{(int)problem}";
        var token = _steps.NamespaceWithOwner(ns);
        front.Api.Controllers.FailPods(service, problem);
        await _steps.CreateStackAsync(token, ns, "failing", $"services:\n  {service}:\n    image: example/api:1\n  ok:\n    image: nginx:1.25\n");
        await using var controller = _steps.StartController(ns);

        // The failing pod may be reported before the healthy service's pod is ready: wait for both.
        var failed = await _steps.WaitForStatusAsync(
            ns,
            "failing",
            s => s["phase"]?.ToString() == "Failure" && s["services"]?["ok"]?["ready"]?.GetValue<int>() == 1,
            "a Failure with the healthy service ready");
        Assert.Equal($"True/{reason}", ControllerSteps.Condition(failed, "Failed"));
        Assert.Equal($"False/{reason}", ControllerSteps.Condition(failed, "Ready"));
        var failing = Service(failed, service);
        Assert.Equal(0, failing["ready"]!.GetValue<int>());
        var problems = (JsonArray)failing["problems"]!;
        var pod = Assert.Single(problems)!;
        Assert.Equal(reason, pod["reason"]!.ToString());
        Assert.StartsWith($"{service}-", pod["pod"]!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith($"{service}: pod {pod["pod"]}: {reason}", failed["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(Service(failed, "ok")["problems"]);
        Assert.Equal(1, Service(failed, "ok")["ready"]!.GetValue<int>());

        // The pod recovering changes its Deployment's status, which the controller watches.
        front.Api.Controllers.ClearProblems(service);
        var recovered = await _steps.WaitForStatusAsync(ns, "failing", s => s["phase"]?.ToString() == "Available", "the stack to recover");
        Assert.Null(Service(recovered, service)["problems"]);
        Assert.Equal("False/Available", ControllerSteps.Condition(recovered, "Failed"));
    }

    [Fact]
    public async Task APodThatStartsFailingLater_IsReported_WithoutAResync()
    {
        const string ns = "status-later";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "later", "services:\n  later:\n    image: nginx:1.25\n");
        // A resync far away: only a watch event can bring the change.
        await using var controller = _steps.StartController(ns, TimeSpan.FromHours(1));
        await _steps.WaitForStatusAsync(ns, "later", s => s["phase"]?.ToString() == "Available", "the stack to be Available");

        front.Api.Controllers.FailPods("later", PodProblem.OOMKilled);
        var failed = await _steps.WaitForStatusAsync(ns, "later", s => s["phase"]?.ToString() == "Failure", "the OOM kill to be reported");
        Assert.Equal("True/OOMKilled", ControllerSteps.Condition(failed, "Failed"));
        Assert.Contains("exceeded its memory limit", failed["services"]!["later"]!["problems"]![0]!["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadyStack_ResyncedAgainAndAgain_WritesNothing()
    {
        const string ns = "status-quiet";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "quiet", "services:\n  quiet:\n    image: nginx:1.25\n    deploy:\n      replicas: 2\n");
        await using var controller = _steps.StartController(ns, TimeSpan.FromMilliseconds(300));
        await _steps.WaitForStatusAsync(ns, "quiet", s => s["phase"]?.ToString() == "Available", "the stack to be Available");
        await front.Api.Controllers.WaitUntilIdleAsync(Ct);
        await Task.Delay(500, Ct);

        var mark = front.Api.Requests.Count;
        var stackReads = () => front.Api.Requests.Skip(mark).Count(r => r.Verb == "get" && r.Path.EndsWith("/stacks/quiet", StringComparison.Ordinal));
        await Poll.UntilAsync(() => stackReads() >= 3, "three resyncs", Ct);
        var window = front.Api.Requests.Skip(mark).ToList();
        Assert.DoesNotContain(window, r => r.IsWrite && r.Namespace == ns);
        // A ready stack's pods are not read: every workload is rolled out, so none can have a failing pod.
        Assert.DoesNotContain(window, r => r.Resource == "pods" && r.Verb == "list");
    }

    [Fact]
    public async Task TheStatusKeepsItsShape_InEveryServedVersion_AndOldReadersStillSeePhaseAndMessage()
    {
        const string ns = "status-versions";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "versions", "services:\n  v:\n    image: nginx:1.25\n");
        await using var controller = _steps.StartController(ns);
        await _steps.WaitForStatusAsync(ns, "versions", s => s["phase"]?.ToString() == "Available", "the stack to be Available");

        foreach (var version in new[] { "v1alpha3", "v1beta2", "v1beta1" })
        {
            var stack = await _steps.SendAsync(front.Api.Token, HttpMethod.Get, ControllerSteps.StackPath(ns, "versions", version));
            Assert.Equal("""{"kind":"Deployment","desired":1,"updated":1,"ready":1,"available":1}""", stack["status"]!["services"]!["v"]!.ToJsonString());
        }

        // kubectl's table (compose-on-kubernetes's readers print phase/message).
        var table = front.Kubectl(token, "get", "stacks.v1beta2.compose.docker.com", "-n", ns, "-o", "jsonpath={.items[0].status.phase}:{.items[0].status.message}:{.items[0].status.services.v.ready}");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Equal("Available:1 service(s) ready:1", table.Stdout.Trim());
    }
}
