using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Controller.Reconcile;
using Berth.Controller.Tests.Reconcile;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Controller.Tests;

/// <summary>
/// The other side of CRD mode: <c>--stack-source</c>, discovery finding berth-apiserver (aggregated) or nothing, and the
/// aggregated mode's refusal of an invalid file with the running version untouched — berth-apiserver (in-process,
/// real etcd) behind the documented Kubernetes API test double's aggregation front (<see cref="FrontFixture"/>), not a
/// cluster.
/// </summary>
public sealed class CrdModeStackSourceTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private const string Shop = """
        services:
          web:
            image: nginx:1.25
            ports: ["8080:80"]
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Code, string Error, Hosting.ControllerOptions? Options)> ParseAsync(params string[] args)
    {
        Hosting.ControllerOptions? parsed = null;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Hosting.CommandLine.RunAsync(args, (options, _) => { parsed = options; return Task.FromResult(0); }, output, error);
        return (code, error.ToString(), parsed);
    }

    [Fact]
    public async Task TheStackSourceFlag_DefaultsToAuto_TakesEachMode_AndRefusesOthersNamingTheFlag()
    {
        Assert.Equal(StackSource.Auto, (await ParseAsync()).Options!.StackSource);
        Assert.Equal(StackSource.Crd, (await ParseAsync("--stack-source", "crd")).Options!.StackSource);
        Assert.Equal(StackSource.Aggregated, (await ParseAsync("--stack-source=aggregated")).Options!.StackSource);

        var (code, error, options) = await ParseAsync("--stack-source", "etcd");

        Assert.Equal(Hosting.CommandLine.UsageExitCode, code);
        Assert.Null(options);
        Assert.Contains("--stack-source", error, StringComparison.Ordinal);
        Assert.Contains("etcd", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_FindsBerthApiServer_BehindTheAggregator_AndNothingWhereStacksAreNotServed()
    {
        using var aggregated = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = front.Kubeconfig });
        await using var bare = await KubernetesApiDouble.StartAsync(https: true, Ct);
        using var folder = new TempProject();
        using var none = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = bare.WriteKubeconfig(folder.PathOf("kubeconfig")) });

        Assert.Equal(StackSource.Aggregated, await StackOwners.DetectAsync((k8s.Kubernetes)aggregated.Client, Ct));
        Assert.Null(await StackOwners.DetectAsync((k8s.Kubernetes)none.Client, Ct));

        // A controller started there waits for stacks to be served: it never lists, so it is never synced.
        await using var controller = new RunningController(folder.PathOf("kubeconfig"), "default", TimeSpan.FromMinutes(10));
        await Poll.UntilAsync(() => bare.Requests.Count(r => r.Path.EndsWith("/apis/compose.docker.com/v1beta1", StringComparison.Ordinal)) >= 2, "two discovery attempts", Ct, TimeSpan.FromSeconds(20));
        Assert.False(controller.Controller.Synced);
        Assert.DoesNotContain(bare.Requests, r => r.Verb is "list" or "watch");
    }

    [Fact]
    public async Task AnInvalidFile_IsRefusedByTheAggregatedServerNamingTheLine_AndTheRunningVersionIsUntouched()
    {
        const string ns = "agg-invalid";
        front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        front.Api.Aggregation.AddUser("agg-owner-token", "agg-owner", "dev");
        front.Api.Aggregation.Allow(new RbacRule("agg-owner", ["*"], "*", ["*"], ns));
        const string stackPath = $"apis/compose.docker.com/v1beta1/namespaces/{ns}/stacks";
        using var owner = front.Client("agg-owner-token");
        using var admin = front.Client(front.Api.Token);
        var body = new JsonObject { ["apiVersion"] = "compose.docker.com/v1beta1", ["kind"] = "Stack", ["metadata"] = new JsonObject { ["name"] = "shop" }, ["spec"] = new JsonObject { ["composeFile"] = Shop } };
        using (var created = await owner.PostAsync(stackPath, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        async Task<JsonObject> StackAsync() => (JsonObject)JsonNode.Parse(await admin.GetStringAsync($"{stackPath}/shop", Ct))!;
        await using var controller = new RunningController(front.Kubeconfig, ns, TimeSpan.FromMilliseconds(300), StackSource.Auto);
        await Poll.UntilAsync(() => StackAsync().GetAwaiter().GetResult()["status"]?["phase"]?.ToString() is "Progressing" or "Available", "the stack to be deployed", Ct, TimeSpan.FromSeconds(60));
        await Task.Delay(600, Ct); // the follow-up reconciles of the children's events settle
        var before = await StackObjects.ListAsync(admin, ns, "shop", Ct);
        var stackBefore = await StackAsync();
        var mark = front.Api.Requests.Count;

        var invalid = Shop + "\n  web_1:\n    image: nginx:1.25\n";
        var line = Array.IndexOf(invalid.Split('\n'), "  web_1:") + 1;
        using var refused = await owner.PatchAsync($"{stackPath}/shop", new StringContent(new JsonObject { ["spec"] = new JsonObject { ["composeFile"] = invalid } }.ToJsonString(), Encoding.UTF8, "application/merge-patch+json"), Ct);
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains($"(services.web_1, line {line})", status["message"]!.ToString(), StringComparison.Ordinal);
        // The controller keeps reconciling (a resync every 300 ms) and changes nothing.
        await Poll.UntilAsync(() => front.Api.Requests.Skip(mark).Count(r => r.Verb == "get" && r.Path.EndsWith($"/namespaces/{ns}/stacks/shop", StringComparison.Ordinal) && r.User?.Name == KubernetesApiDouble.UserName) >= 3, "three reconciles after the refusal", Ct);
        var stackAfter = await StackAsync();
        Assert.Equal(stackBefore["metadata"]!["resourceVersion"]!.ToString(), stackAfter["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal(stackBefore["status"]!.ToJsonString(), stackAfter["status"]!.ToJsonString());
        Assert.Equal(Shop, stackAfter["spec"]!["composeFile"]!.ToString());
        Assert.Equal(before.ToDictionary(o => o.Key, o => o.Value.ToJsonString()), (await StackObjects.ListAsync(admin, ns, "shop", Ct)).ToDictionary(o => o.Key, o => o.Value.ToJsonString()));
        Assert.DoesNotContain(front.Api.Requests.Skip(mark), r => r.IsWrite && r.Namespace == ns && r.StatusCode < 400);
    }
}
