using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Compose.Loading;
using Berth.Controller.Hosting;
using Berth.Controller.Reconcile;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using Berth.StackService;
using Berth.Stacks.Events;
using Berth.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>
/// The stack controller end to end: berth-apiserver (in-process, real etcd) behind the Kubernetes API test double
/// acting as kube-apiserver's aggregation layer (<see cref="FrontFixture"/>) — the documented double, not a
/// cluster. Stacks are created through the double as their owners; the controller lists and watches them there and
/// writes children and status as the owner (the double records whom each request was served as).
/// </summary>
public sealed class StackControllerTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A two-service file with a port, an environment and replicas (the CRD mode tests deploy it too).</summary>
    internal const string Shop = """
        services:
          web:
            image: nginx:1.25
            ports: ["8080:80"]
            environment:
              MODE: production
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
            deploy:
              replicas: 2
        """;

    private static int _users;

    // The double's simulated controllers stay off here: workloads get no pods (the figures count the controller alone).
    private readonly ControllerSteps _steps = new(front, simulatedPods: false);

    private Task CreateNamespaceAsync(string ns)
    {
        front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        return Task.CompletedTask;
    }

    /// <summary>A user with a token who may do everything in <paramref name="ns"/>, or everything but write the apps group.</summary>
    private string AddOwner(string ns, bool apps = true)
    {
        var n = Interlocked.Increment(ref _users);
        var name = $"owner{n}";
        var token = $"owner{n}-token";
        front.Api.Aggregation.AddUser(token, name, "dev");
        if (apps)
        {
            front.Api.Aggregation.Allow(new RbacRule(name, ["*"], "*", ["*"], ns));
        }
        else
        {
            front.Api.Aggregation.Allow(new RbacRule(name, ["*"], "", ["*"], ns));
            front.Api.Aggregation.Allow(new RbacRule(name, ["*"], "compose.docker.com", ["*"], ns));
            // Reads stay allowed: berth-apiserver's collision check reads the planned names as the requesting user.
            front.Api.Aggregation.Allow(new RbacRule(name, ["get", "list", "watch"], "apps", ["*"], ns));
        }

        return token;
    }

    private static string StackPath(string ns, string? name = null)
        => $"apis/compose.docker.com/v1beta1/namespaces/{ns}/stacks" + (name is null ? string.Empty : "/" + name);

    private Task CreateStackAsync(string token, string ns, string name, string compose) => _steps.CreateStackAsync(token, ns, name, compose);

    private async Task<JsonObject?> GetStackAsync(string ns, string name)
    {
        using var client = front.Client(front.Api.Token);
        using var response = await client.GetAsync(StackPath(ns, name), Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)) as JsonObject;
    }

    private Task<JsonObject> WaitForStatusAsync(string ns, string name, Func<JsonObject, bool> condition, string what) => _steps.WaitForStatusAsync(ns, name, condition, what);

    private RunningController StartController(string ns, TimeSpan? resync = null) => _steps.StartController(ns, resync);

    // Every object of the stack in ns, by kind/name, from the double's store through its API.
    private async Task<SortedDictionary<string, JsonObject>> StackObjectsAsync(string ns, string stack)
    {
        using var client = front.Client(front.Api.Token);
        return await StackObjects.ListAsync(client, ns, stack, Ct);
    }

    [Fact]
    public async Task TheSameComposeFile_ByTheCliAndAsAStack_YieldsTheSameObjects()
    {
        const string cliNs = "ctl-same-cli";
        const string stackNs = "ctl-same-stack";
        await CreateNamespaceAsync(cliNs);
        await CreateNamespaceAsync(stackNs);
        var token = AddOwner(stackNs);

        // The CLI's path: the file loaded from disk, deployed by KubernetesStackService (berth stack deploy --detach).
        using var folder = new TempProject(("compose.yaml", Shop));
        var loaded = ProjectLoader.Load(new LoadOptions { Files = [folder.PathOf("compose.yaml")], WorkingDirectory = folder.Directory, ProjectName = "shop" }, Ct);
        using (var cli = StackServices.Kubernetes(new KubernetesAccessOptions { Kubeconfig = front.Kubeconfig, Namespace = cliNs }, _ => null))
        {
            var deployed = await cli.DeployAsync(new StackDeployRequest("shop", loaded.Project!) { Detach = true, HistoryMax = 0 }, StackEventSink.None, Ct);
            Assert.False(deployed.Invalid);
        }

        await CreateStackAsync(token, stackNs, "shop", Shop);
        await using (StartController(stackNs))
        {
            await WaitForStatusAsync(stackNs, "shop", s => s["phase"]?.ToString() is "Progressing" or "Available", "the stack to be deployed");
        }

        var byCli = await StackObjectsAsync(cliNs, "shop");
        var byController = await StackObjectsAsync(stackNs, "shop");
        Assert.Contains("Deployment/web", byCli.Keys);
        var uid = (await GetStackAsync(stackNs, "shop"))!["metadata"]!["uid"]!.ToString();
        StackObjects.AssertSame(byCli, cliNs, byController, stackNs, "shop", uid);
    }

    [Fact]
    public async Task AnOwnerWhoMayNotCreateDeployments_GetsAFailureNamingTheRefusal_AndNothingIsCreated()
    {
        const string ns = "ctl-refused";
        await CreateNamespaceAsync(ns);
        var token = AddOwner(ns, apps: false);
        await CreateStackAsync(token, ns, "shop", Shop);

        await using (StartController(ns))
        {
            var status = await WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Failure", "a Failure status");

            Assert.Contains("deployments.apps is forbidden: User \"owner", status["message"]!.ToString(), StringComparison.Ordinal);
            Assert.Contains("cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"ctl-refused\"", status["message"]!.ToString(), StringComparison.Ordinal);
            var failed = status["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Failed")!;
            Assert.Equal("True", failed["status"]!.ToString());
            Assert.Equal("Forbidden", failed["reason"]!.ToString());
        }

        Assert.Empty(await StackObjectsAsync(ns, "shop"));
        // The stack's own writes and the controller's Events (its record of the refusal) aside, nothing was written.
        Assert.DoesNotContain(front.Api.Requests, r => r.IsWrite && r.Namespace == ns && r.Resource is not null and not "events" && !r.Resource.StartsWith("stacks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeletingTheStack_RemovesItsChildren_ThenTheStack()
    {
        const string ns = "ctl-delete";
        await CreateNamespaceAsync(ns);
        var token = AddOwner(ns);
        await CreateStackAsync(token, ns, "shop", Shop);
        await using var controller = StartController(ns);
        await WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() is "Progressing" or "Available", "the stack to be deployed");
        Assert.NotEmpty(await StackObjectsAsync(ns, "shop"));
        Assert.Equal(["compose.docker.com/stack-cleanup"], (await GetStackAsync(ns, "shop"))!["metadata"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));

        using (var client = front.Client(token))
        {
            using var deleted = await client.DeleteAsync(StackPath(ns, "shop"), Ct);
            Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync(Ct));
        }

        await Poll.UntilAsync(() => GetStackAsync(ns, "shop").GetAwaiter().GetResult() is null, "the stack to be gone", Ct, TimeSpan.FromSeconds(60));
        Assert.Empty(await StackObjectsAsync(ns, "shop"));
        // The children were removed as the owner.
        Assert.All(front.Api.Requests.Where(r => r.Verb == "delete" && r.Namespace == ns), r => Assert.StartsWith("owner", r.User!.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnchangedResync_WritesNothing_AndAOneServiceChange_WritesOnlyThatService()
    {
        const string ns = "ctl-resync";
        await CreateNamespaceAsync(ns);
        var token = AddOwner(ns);
        await CreateStackAsync(token, ns, "shop", Shop);
        await using var controller = StartController(ns, TimeSpan.FromMilliseconds(500));
        await WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() is "Progressing" or "Available", "the stack to be deployed");
        await Task.Delay(500, Ct);

        var mark = front.Api.Requests.Count;
        var stackReads = () => front.Api.Requests.Skip(mark).Count(r => r.Verb == "get" && r.Path.EndsWith("/stacks/shop", StringComparison.Ordinal));
        await Poll.UntilAsync(() => stackReads() >= 3, "three resyncs", Ct);
        Assert.DoesNotContain(front.Api.Requests.Skip(mark), r => r.IsWrite && r.Namespace == ns);

        mark = front.Api.Requests.Count;
        using (var client = front.Client(token))
        {
            var stack = (await GetStackAsync(ns, "shop"))!;
            stack["spec"]!["composeFile"] = Shop.Replace("busybox:1.36", "busybox:1.37", StringComparison.Ordinal);
            stack.Remove("status");
            using var updated = await client.PutAsync(StackPath(ns, "shop"), new StringContent(stack.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
            Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync(Ct));
        }

        await Poll.UntilAsync(() => front.Api.Requests.Skip(mark).Any(r => r.IsWrite && r.Resource == "deployments.apps"), "the worker's update", Ct);
        await WaitForStatusAsync(ns, "shop", s => s["observedGeneration"]?.GetValue<long>() == 2, "observedGeneration 2");
        var writes = front.Api.Requests.Skip(mark).Where(r => r.IsWrite && r.Namespace == ns && r.Resource != "events" && r.Resource?.StartsWith("stacks", StringComparison.Ordinal) != true).ToList();
        Assert.Equal(["deployments.apps/worker"], writes.Select(w => $"{w.Resource}/{w.Name}"));
    }

    [Fact]
    public async Task AControllerCancelledMidReconcile_AndStartedAgain_Converges_WithNoDuplicatesNorOrphans()
    {
        const string ns = "ctl-restart";
        await CreateNamespaceAsync(ns);
        var token = AddOwner(ns);
        var services = string.Concat(Enumerable.Range(1, 20).Select(i => $"  svc{i}:\n    image: nginx:1.25\n    ports: [\"{8000 + i}:80\"]\n"));
        await CreateStackAsync(token, ns, "big", "services:\n" + services);

        var mark = front.Api.Requests.Count;
        await using (StartController(ns))
        {
            await Poll.UntilAsync(() => front.Api.Requests.Skip(mark).Count(r => r.IsWrite && r.Namespace == ns && r.Resource == "services") >= 3, "the first applies", Ct);
        }

        var partial = await StackObjectsAsync(ns, "big");
        await using (StartController(ns))
        {
            await WaitForStatusAsync(ns, "big", s => s["phase"]?.ToString() is "Progressing" or "Available", "the stack to be deployed");
        }

        var objects = await StackObjectsAsync(ns, "big");
        Assert.True(partial.Count < objects.Count, $"the first controller was stopped mid-deploy ({partial.Count} of {objects.Count})");
        var expected = Enumerable.Range(1, 20).SelectMany(i => new[] { $"Deployment/svc{i}", $"Service/svc{i}" }).ToHashSet();
        Assert.True(expected.IsSubsetOf(objects.Keys), string.Join(", ", expected.Except(objects.Keys)));
        var uid = (await GetStackAsync(ns, "big"))!["metadata"]!["uid"]!.ToString();
        Assert.All(objects.Values, o => Assert.Equal(uid, o["metadata"]!["ownerReferences"]![0]!["uid"]!.ToString()));
        Assert.Equal(objects.Count, objects.Keys.Distinct().Count());
    }

    [Fact]
    public async Task Measure_RequestsPerReconcile_OfATwentyServiceStack_AndLatencyToFirstApply()
    {
        const string ns = "ctl-measure";
        await CreateNamespaceAsync(ns);
        var token = AddOwner(ns);
        // The controller's own user, so its requests can be told from berth-apiserver's and the test's.
        front.Api.Aggregation.AddUser("measured-controller-token", "measured-controller");
        front.Api.Aggregation.Allow(new RbacRule("measured-controller", ["*"], "*", ["*"]));
        var kubeconfig = File.ReadAllText(front.Kubeconfig).Replace($"token: {front.Api.Token}", "token: measured-controller-token", StringComparison.Ordinal);
        var kubeconfigPath = front.Folder.PathOf("measured.kubeconfig");
        File.WriteAllText(kubeconfigPath, kubeconfig);
        bool ByController(RecordedRequest r) => (r.User?.Name == "measured-controller" || r.ImpersonatedBy == "measured-controller") && r.Verb != "watch";
        var services = string.Concat(Enumerable.Range(1, 20).Select(i => $"  svc{i}:\n    image: nginx:1.25\n    ports: [\"{8000 + i}:80\"]\n"));
        var compose = "services:\n" + services;

        await using var controller = new RunningController(kubeconfigPath, ns, TimeSpan.FromHours(1));
        await Poll.UntilAsync(() => controller.Controller.Synced, "the first list", Ct);
        await Task.Delay(500, Ct);

        var breakdown = new List<string>();

        // Writes change the cluster; SubjectAccessReviews (POSTs that store nothing) are counted apart.
        static bool IsReview(RecordedRequest r) => r.Path.Contains("/subjectaccessreviews", StringComparison.Ordinal);
        async Task<(int Requests, int Writes, int Reviews, double Reconciles)> SettleAsync(int mark, double reconciles)
        {
            // Settled: a reconcile has succeeded since the change, then no request from the controller for 2 s (under
            // load the watch event can come late, or a reconcile pause for a second, so quiet alone could end too soon).
            var last = -1;
            var quietSince = DateTime.UtcNow;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (DateTime.UtcNow - quietSince < TimeSpan.FromSeconds(2) || ControllerMetrics.Reconciles.WithLabels("success").Value - reconciles < 1)
            {
                Assert.True(DateTime.UtcNow < deadline, "no successful reconcile within 60 s of the change");
                var count = front.Api.Requests.Skip(mark).Count(ByController);
                if (count != last)
                {
                    last = count;
                    quietSince = DateTime.UtcNow;
                }

                await Task.Delay(50, Ct);
            }

            var window = front.Api.Requests.Skip(mark).Where(ByController).ToList();
            breakdown.Add(string.Join(", ", window.GroupBy(r => $"{r.Verb} {r.Resource ?? r.Path}{(r.Subresource is null ? "" : "/" + r.Subresource)}").Select(g => $"{g.Key} x{g.Count()}")));
            return (window.Count, window.Count(r => r.IsWrite && !IsReview(r)), window.Count(IsReview), ControllerMetrics.Reconciles.WithLabels("success").Value - reconciles);
        }

        var mark = front.Api.Requests.Count;
        var reconciles = ControllerMetrics.Reconciles.WithLabels("success").Value;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await CreateStackAsync(token, ns, "big", compose);
        var created = clock.Elapsed;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            while (!front.Api.Requests.Skip(mark).Any(r => ByController(r) && r.IsWrite && r.Resource is "services" or "deployments.apps"))
            {
                await Task.Delay(5, deadline.Token);
            }
        }

        var firstApply = clock.Elapsed - created;
        var first = await SettleAsync(mark, reconciles);

        // An unchanged reconcile (what a resync does): a label on the stack changes, its spec does not.
        mark = front.Api.Requests.Count;
        reconciles = ControllerMetrics.Reconciles.WithLabels("success").Value;
        using (var client = front.Client(token))
        {
            using var patched = await client.PatchAsync(StackPath(ns, "big"), new StringContent("""{"metadata":{"labels":{"touched":"yes"}}}""", Encoding.UTF8, "application/merge-patch+json"), Ct);
            Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync(Ct));
        }

        var unchanged = await SettleAsync(mark, reconciles);

        mark = front.Api.Requests.Count;
        reconciles = ControllerMetrics.Reconciles.WithLabels("success").Value;
        using (var client = front.Client(token))
        {
            using var patched = await client.PatchAsync(StackPath(ns, "big"), new StringContent(new JsonObject { ["spec"] = new JsonObject { ["composeFile"] = compose.Replace("  svc7:\n    image: nginx:1.25", "  svc7:\n    image: nginx:1.26", StringComparison.Ordinal) } }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"), Ct);
            Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync(Ct));
        }

        var oneService = await SettleAsync(mark, reconciles);

        TestContext.Current.TestOutputHelper?.WriteLine($"20 services: first deploy {first}; unchanged {unchanged}; one-service change {oneService} (requests, writes, access reviews, reconciles); stack write to first apply {firstApply.TotalMilliseconds:F0} ms");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "controller-measure.txt"), $"first={first} unchanged={unchanged} oneService={oneService} firstApplyMs={firstApply.TotalMilliseconds:F0}\n{string.Join("\n", breakdown)}\n");
        Assert.Equal(0, unchanged.Writes);
        Assert.True(first.Writes >= 40, $"{first.Writes} writes for 20 Deployments and 20 Services");
        // The Deployment, the status (observedGeneration 2) and the Applied event.
        Assert.Equal(3, oneService.Writes);
    }
}
