using System.Net;
using System.Text.Json.Nodes;
using Berth.Compose.Loading;
using Berth.Controller.Reconcile;
using Berth.Controller.Tests.Reconcile;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.StackApi;
using Berth.StackService;
using Berth.Stacks.Events;
using Berth.Testing;

namespace Berth.Controller.Tests;

/// <summary>
/// berth-controller in CRD mode, end to end through the documented Kubernetes API test double (not a cluster) set up
/// as <c>berth system install --mode crd</c> would (<see cref="CrdModeFixture"/>): the real kubectl applies stacks as
/// alice, Berth's mutating webhook records her in the owner annotation, the controller (discovering the mode) deploys
/// as her, the double's simulated pods become ready, and deletion goes through the controller's finalizer.
/// </summary>
public sealed class CrdModeControllerTests(CrdModeFixture crd) : IClassFixture<CrdModeFixture>
{
    private const string Shop = StackControllerTests.Shop;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A v1beta1 stack (the Compose file as text), as a user would write stack.yaml.</summary>
    private static string StackYaml(string name, string compose)
        => $"apiVersion: compose.docker.com/v1beta1\nkind: Stack\nmetadata:\n  name: {name}\nspec:\n  composeFile: |\n{string.Concat(compose.Split('\n').Select(l => "    " + l + "\n"))}";

    private async Task<JsonObject?> GetStackAsync(string ns, string name)
    {
        using var client = crd.Client();
        using var response = await client.GetAsync($"apis/compose.docker.com/v1beta1/namespaces/{ns}/stacks/{name}", Ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct)) as JsonObject;
    }

    private async Task<JsonObject> WaitForStatusAsync(string ns, string name, Func<JsonObject, bool> condition, string what)
    {
        JsonObject? status = null;
        await Poll.UntilAsync(
            () => (status = GetStackAsync(ns, name).GetAwaiter().GetResult()?["status"] as JsonObject) is { } s && condition(s),
            $"{what} (status: {status?.ToJsonString()})",
            Ct,
            TimeSpan.FromSeconds(60));
        return status!;
    }

    private async Task<SortedDictionary<string, JsonObject>> StackObjectsAsync(string ns, string stack)
    {
        using var client = crd.Client();
        return await StackObjects.ListAsync(client, ns, stack, Ct);
    }

    private RunningController StartController(string ns, TimeSpan? resync = null) => new(crd.Kubeconfig, ns, resync ?? TimeSpan.FromMinutes(10));

    [Fact]
    public async Task Discovery_FindsTheCrd()
    {
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = crd.Kubeconfig });

        Assert.Equal(StackSource.Crd, await StackOwners.DetectAsync((k8s.Kubernetes)cluster.Client, Ct));
    }

    [Fact]
    public async Task KubectlApply_TheSameObjectsAsTheCli_AsTheOwner_AvailableOncePodsAreReady_ThenKubectlDelete_RemovesThem()
    {
        const string cliNs = "crd-same-cli";
        const string stackNs = "crd-same-stack";
        crd.AddNamespaceForAlice(cliNs);
        crd.AddNamespaceForAlice(stackNs);

        // The CLI's path: the file loaded from disk, deployed by KubernetesStackService (berth stack deploy --detach).
        using var folder = new TempProject(("compose.yaml", Shop));
        var loaded = ProjectLoader.Load(new LoadOptions { Files = [folder.PathOf("compose.yaml")], WorkingDirectory = folder.Directory, ProjectName = "shop" }, Ct);
        using (var cli = StackServices.Kubernetes(new KubernetesAccessOptions { Kubeconfig = crd.Kubeconfig, Namespace = cliNs }, _ => null))
        {
            Assert.False((await cli.DeployAsync(new StackDeployRequest("shop", loaded.Project!) { Detach = true, HistoryMax = 0 }, StackEventSink.None, Ct)).Invalid);
        }

        await using var controller = StartController(stackNs);
        var applied = crd.Kubectl(CrdModeFixture.AliceToken, StackYaml("shop", Shop), "apply", "-n", stackNs, "-f", "-");
        Assert.Contains("stack.compose.docker.com/shop created", applied.Stdout, StringComparison.Ordinal);

        var status = await WaitForStatusAsync(stackNs, "shop", s => s["phase"]?.ToString() == "Available", "Available once the double's pods are ready");
        Assert.Equal("2 service(s) ready", status["message"]!.ToString());
        var stack = (await GetStackAsync(stackNs, "shop"))!;
        Assert.Equal("alice", OwnerAnnotation.OwnerOf(stack)!.Name);
        Assert.Equal([StackReconciler.Finalizer], stack["metadata"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));
        StackObjects.AssertSame(await StackObjectsAsync(cliNs, "shop"), cliNs, await StackObjectsAsync(stackNs, "shop"), stackNs, "shop", stack["metadata"]!["uid"]!.ToString());
        // Every child write, the finalizer and the status were written as alice by the controller (the double's own user);
        // Events are the controller's own record, written as itself (docs/design/controller.md, Status and events).
        var byController = crd.Api.Requests.Where(r => r.IsWrite && r.Namespace == stackNs && r.Resource != "events" && !(r.Resource == "stacks.compose.docker.com" && r.Subresource is null && r.Verb == "create")).ToList();
        Assert.All(crd.Api.Requests.Where(r => r.IsWrite && r.Namespace == stackNs && r.Resource == "events"), r => Assert.Equal((KubernetesApiDouble.UserName, (string?)null), (r.User?.Name, r.ImpersonatedBy)));
        Assert.Contains(byController, r => r.Resource == "deployments.apps");
        Assert.Contains(byController, r => r.Subresource == "status");
        Assert.All(byController, r => Assert.Equal(("alice", KubernetesApiDouble.UserName), (r.User?.Name, r.ImpersonatedBy)));

        var mark = crd.Api.Requests.Count;
        // kubectl delete waits until the stack is gone, which the finalizer holds until the children are removed.
        crd.Kubectl(CrdModeFixture.AliceToken, null, "delete", "-n", stackNs, "stack.v1beta1.compose.docker.com", "shop", "--timeout=60s");

        Assert.Null(await GetStackAsync(stackNs, "shop"));
        Assert.Empty(await StackObjectsAsync(stackNs, "shop"));
        var removed = crd.Api.Requests.Skip(mark).Where(r => r.Verb == "delete" && r.Namespace == stackNs && r.Resource != "stacks.compose.docker.com").ToList();
        Assert.Contains(removed, r => r.Resource == "deployments.apps" && r.Name == "web");
        Assert.All(removed, r => Assert.Equal("alice", r.User?.Name));
    }

    [Fact]
    public async Task AStackAdmittedWithoutTheMutatingWebhook_GetsAFailureSayingSo_AndNothingIsDeployed_UntilReappliedWithIt()
    {
        const string ns = "crd-no-owner";
        crd.AddNamespaceForAlice(ns);
        var mutating = crd.Routing.Single(o => o["kind"]!.ToString() == "MutatingWebhookConfiguration");
        // As if the stack had been created before the webhook configuration was installed.
        crd.Kubectl(null, null, "delete", "mutatingwebhookconfiguration", mutating["metadata"]!["name"]!.ToString());
        try
        {
            crd.Kubectl(CrdModeFixture.AliceToken, StackYaml("shop", Shop), "apply", "-n", ns, "-f", "-");
        }
        finally
        {
            crd.Kubectl(null, mutating.ToJsonString(), "create", "-f", "-");
        }

        Assert.Null(OwnerAnnotation.Of(await GetStackAsync(ns, "shop")));
        var mark = crd.Api.Requests.Count;
        await using var controller = StartController(ns);

        var status = await WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Failure", "a Failure status");
        Assert.StartsWith("no owner is recorded: the stack has no compose.docker.com/owner annotation", status["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(RecordedOwner.NoOwnerReason, status["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Failed")!["reason"]!.ToString());
        Assert.Empty(await StackObjectsAsync(ns, "shop"));
        // Only the status and the controller's Warning event were written (as the controller: there is no owner); no
        // finalizer, no child.
        var writes = crd.Api.Requests.Skip(mark).Where(r => r.IsWrite && r.Namespace == ns).ToList();
        Assert.Equal(["patch stacks.compose.docker.com/status"], writes.Where(r => r.Resource != "events").Select(r => $"{r.Verb} {r.Resource}/{r.Subresource}").Distinct());
        Assert.Contains(writes, r => r is { Resource: "events", Verb: "create" });
        Assert.Null((await GetStackAsync(ns, "shop"))!["metadata"]!["finalizers"]);

        // With the webhook back, applying the stack with a changed spec records alice, and the controller deploys it.
        crd.Kubectl(CrdModeFixture.AliceToken, StackYaml("shop", Shop.Replace("nginx:1.25", "nginx:1.26", StringComparison.Ordinal)), "apply", "-n", ns, "-f", "-");
        await WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() is "Progressing" or "Available", "the stack to be deployed");
        Assert.Equal("alice", OwnerAnnotation.OwnerOf(await GetStackAsync(ns, "shop"))!.Name);
        Assert.Contains("Deployment/web", (await StackObjectsAsync(ns, "shop")).Keys);
    }

    [Fact]
    public async Task AnInvalidFile_IsRefusedAtAdmissionNamingTheLine_AndTheRunningVersionIsUntouched()
    {
        const string ns = "crd-invalid";
        crd.AddNamespaceForAlice(ns);
        await using var controller = StartController(ns, TimeSpan.FromMilliseconds(300));
        crd.Kubectl(CrdModeFixture.AliceToken, StackYaml("shop", Shop), "apply", "-n", ns, "-f", "-");
        var running = await WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Available", "the stack to be Available");
        var before = await StackObjectsAsync(ns, "shop");
        var stackBefore = (await GetStackAsync(ns, "shop"))!;
        var mark = crd.Api.Requests.Count;

        var invalid = Shop + "\n  web_1:\n    image: nginx:1.25\n";
        var line = Array.IndexOf(invalid.Split('\n'), "  web_1:") + 1;
        var refused = crd.Kubectl(CrdModeFixture.AliceToken, StackYaml("shop", invalid), expectFailure: true, "apply", "-n", ns, "-f", "-");

        // kubectl prints the 422 from its causes, as for kube-apiserver's answer carrying the webhook's Status.
        Assert.StartsWith("The Stack \"shop\" is invalid: spec.composeFile: Invalid value: \"web_1\": a DNS-1035 label", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"(services.web_1, line {line})", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains(crd.Api.Requests.Skip(mark), r => r.Verb == "patch" && r.Resource == "stacks.compose.docker.com" && r.StatusCode == 422 && r.User?.Name == "alice");
        // The controller keeps reconciling (a resync every 300 ms) and changes nothing.
        await Poll.UntilAsync(() => crd.Api.Requests.Skip(mark).Count(r => r.Verb == "get" && r.Path.EndsWith($"/namespaces/{ns}/stacks/shop", StringComparison.Ordinal)) >= 3, "three reconciles after the refusal", Ct);
        var stackAfter = (await GetStackAsync(ns, "shop"))!;
        Assert.Equal(stackBefore["metadata"]!["resourceVersion"]!.ToString(), stackAfter["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal(running.ToJsonString(), stackAfter["status"]!.ToJsonString());
        Assert.Equal(before.ToDictionary(o => o.Key, o => o.Value.ToJsonString()), (await StackObjectsAsync(ns, "shop")).ToDictionary(o => o.Key, o => o.Value.ToJsonString()));
        Assert.DoesNotContain(crd.Api.Requests.Skip(mark), r => r.IsWrite && r.Namespace == ns && r.StatusCode < 400);
    }
}
