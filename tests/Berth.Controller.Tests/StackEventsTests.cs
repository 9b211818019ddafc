using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Controller.Reconcile;
using Berth.Testing;

namespace Berth.Controller.Tests;

/// <summary>
/// The Events berth-controller records on a stack: berth-apiserver (in-process, real etcd) behind the Kubernetes API
/// test double acting as kube-apiserver (<see cref="FrontFixture"/>) — the documented double, not a cluster.
/// </summary>
public sealed class StackEventsTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly ControllerSteps _steps = new(front);

    private const string Shop = """
        services:
          web:
            image: nginx:1.25
            ports: ["8080:80"]
            environment:
              DB_PASSWORD: hunter2-not-for-events
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        """;

    [Fact]
    public async Task EachApplyThatChangesObjects_RecordsAnAppliedEvent_AsTheController_AndKubectlShowsThem()
    {
        const string ns = "events-applied";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "shop", Shop);
        await using var controller = _steps.StartController(ns);
        var status = await _steps.WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Available", "the stack to be Available");

        var first = Assert.Single(await _steps.EventsAsync(ns, "shop"));
        Assert.Equal("Normal", first["type"]?.ToString());
        Assert.Equal("Applied", first["reason"]?.ToString());
        // Every object the stack's first apply made (its Deployments, Services, ...), none updated or pruned.
        var created = front.Api.Requests.Count(r => r.Namespace == ns && r.ImpersonatedBy is not null && r.Verb == "patch" && r.Resource is not null && !r.Resource.StartsWith("stacks", StringComparison.Ordinal));
        Assert.True(created >= 3, $"{created} applies");
        Assert.Equal($"{created} created, 0 updated, 0 pruned", first["message"]?.ToString());
        Assert.Equal(1, first["count"]!.GetValue<int>());
        Assert.Equal(StackEvents.Component, first["source"]!["component"]!.ToString());
        var stack = await _steps.SendAsync(front.Api.Token, HttpMethod.Get, ControllerSteps.StackPath(ns, "shop"));
        Assert.Equal(stack["metadata"]!["uid"]!.ToString(), first["involvedObject"]!["uid"]!.ToString());
        Assert.Equal("compose.docker.com/v1beta2", first["involvedObject"]!["apiVersion"]!.ToString());

        // Written with the controller's own identity: an event is the controller's record, not the owner's act.
        var posts = front.Api.Requests.Where(r => r.Resource == "events" && r.Namespace == ns && r.IsWrite).ToList();
        Assert.NotEmpty(posts);
        Assert.All(posts, r => Assert.Null(r.ImpersonatedBy));

        // A one-service change: a second Applied event (another message, so not a count bump).
        await _steps.SendAsync(token, HttpMethod.Patch, ControllerSteps.StackPath(ns, "shop"), new JsonObject { ["spec"] = new JsonObject { ["composeFile"] = Shop.Replace("busybox:1.36", "busybox:1.37", StringComparison.Ordinal) } }, "application/merge-patch+json");
        await _steps.WaitForStatusAsync(ns, "shop", s => s["observedGeneration"]?.GetValue<long>() == 2 && s["phase"]?.ToString() == "Available", "generation 2 to be Available");
        var events = await _steps.EventsAsync(ns, "shop");
        Assert.Equal(["0 created, 1 updated, 0 pruned", $"{created} created, 0 updated, 0 pruned"], events.Select(e => e["message"]!.ToString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(events, e => e.ToJsonString().Contains("hunter2", StringComparison.Ordinal));

        // The real kubectl reads them as a user would.
        var listed = front.Kubectl(token, "get", "events", "-n", ns, "--field-selector", "involvedObject.name=shop", "-o", "jsonpath={range .items[*]}{.reason}:{.message}{\"\\n\"}{end}");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("Applied:0 created, 1 updated, 0 pruned", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Applied:{created} created, 0 updated, 0 pruned", listed.Stdout, StringComparison.Ordinal);
        Assert.NotNull(status["services"]);
    }

    [Fact]
    public async Task AStackRetriedWithBackoff_BumpsTheCountOfOneEvent_InsteadOfRecordingMore()
    {
        const string ns = "events-forbidden";
        var token = _steps.NamespaceWithOwner(ns, apps: false);
        await _steps.CreateStackAsync(token, ns, "refused", Shop);
        await using var controller = _steps.StartController(ns);

        await _steps.WaitForStatusAsync(ns, "refused", s => s["phase"]?.ToString() == "Failure", "the refusal");
        List<JsonObject> events = [];
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            while ((events = await _steps.EventsAsync(ns, "refused")).Sum(e => e["count"]!.GetValue<int>()) < 4)
            {
                await Task.Delay(100, deadline.Token);
            }
        }

        // Retries (5 ms · 2^n) went on; the same reason and message made one event whose count grew.
        var refused = Assert.Single(events);
        Assert.Equal("Warning", refused["type"]?.ToString());
        Assert.Equal("Forbidden", refused["reason"]?.ToString());
        Assert.Contains("cannot patch resource \"deployments\" in API group \"apps\"", refused["message"]!.ToString(), StringComparison.Ordinal);
        Assert.True(refused["count"]!.GetValue<int>() >= 4);
        Assert.DoesNotContain("hunter2", refused.ToJsonString(), StringComparison.Ordinal);
    }
}
