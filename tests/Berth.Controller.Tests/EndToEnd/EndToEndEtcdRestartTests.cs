using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.Controller.Tests.EndToEnd;

/// <summary>
/// Aggregated mode, etcd restarted under berth-apiserver while the berth-controller process runs against the
/// documented Kubernetes API test double (tests/Berth.Kubernetes.ApiDouble, not a cluster) with berth-apiserver on
/// a real etcd behind its aggregation proxy (<see cref="FrontFixture"/>).
/// </summary>
public sealed class EndToEndEtcdRestartTests(FrontFixture front, ITestOutputHelper output) : IClassFixture<FrontFixture>
{
    private const string Ns = "etcd-restart";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ComposeOf(string service, string image) => $"""
        services:
          {service}:
            image: {image}
        """;

    [Fact]
    public async Task EtcdRestarted_TheControllerResumes_StacksCreatedAndChangedAfterwardAreReconciled_NothingDuplicated()
    {
        front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Ns}}}"}}""");
        front.Api.Controllers.Enabled = true;
        // The default resync (10 min) stays: what follows the restart must come from re-listing and re-watching.
        using var controller = await RunningControllerProcess.StartAsync(front.Kubeconfig, ["--leader-elect=false", "--namespace", Ns], Ct);
        Assert.Equal(HttpStatusCode.Created, await WriteStackAsync(HttpMethod.Post, "before", ComposeOf("alpha", "nginx:1.25")));
        await Poll.UntilAsync(() => Image("alpha") == "nginx:1.25" && Phase("before") == "Available", "stack before deployed", Ct, TimeSpan.FromSeconds(60));

        await front.Etcd.StopAsync(Ct);
        // berth-apiserver answers errors while etcd is away; the controller keeps running and healthy meanwhile.
        var down = await WriteStackAsync(HttpMethod.Post, "during", ComposeOf("gamma", "nginx:1.25"));
        Assert.True((int)down >= 500, $"a write while etcd is down: {(int)down}");
        front.Api.ClearRequests();
        var healthWhileDown = new List<(HttpStatusCode, string)>();
        var stopped = DateTime.UtcNow;
        while (DateTime.UtcNow - stopped < TimeSpan.FromSeconds(8))
        {
            healthWhileDown.Add(await controller.GetAsync("/healthz", Ct));
            await Task.Delay(500, Ct);
        }

        // Informational only: berth-apiserver's etcd client re-registers its watch while etcd is away (as clientv3
        // does under kube-apiserver), so the controller's stack watch may stay open through the outage and see no
        // error at all; whether it does depends on timing.
        var failedWhileDown = front.Api.Requests.Where(r => r.Path.StartsWith("/apis/compose.docker.com/", StringComparison.Ordinal) && r.StatusCode >= 500).ToList();
        await front.Etcd.StartAsync(Ct);
        var restarted = DateTime.UtcNow;

        // A stack created and one changed after the restart are both reconciled (retrying the writes while
        // berth-apiserver reconnects to etcd).
        await Poll.UntilAsync(() => WriteStackAsync(HttpMethod.Post, "after", ComposeOf("beta", "redis:7")).GetAwaiter().GetResult() is HttpStatusCode.Created or HttpStatusCode.Conflict, "the create after the restart (409: an earlier attempt was stored)", Ct, TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, await WriteStackAsync(HttpMethod.Patch, "before", ComposeOf("alpha", "nginx:1.27")));
        await Poll.UntilAsync(() => Image("beta") == "redis:7" && Image("alpha") == "nginx:1.27", "both stacks reconciled after the restart", Ct, TimeSpan.FromSeconds(60));
        var resumedAfter = DateTime.UtcNow - restarted;
        output.WriteLine($"reconciled {resumedAfter.TotalSeconds:0.0} s after etcd's start; {failedWhileDown.Count} failed stack requests while down");
        await Poll.UntilAsync(() => Phase("before") == "Available" && Phase("after") == "Available", "both stacks Available", Ct, TimeSpan.FromSeconds(60));

        foreach (var r in front.Api.Requests.Where(r => r.Resource == "stacks.compose.docker.com" && r.Verb is "list" or "watch"))
        {
            output.WriteLine($"{r.Verb} {r.Path}{r.Query} → {r.StatusCode}");
        }

        output.WriteLine(controller.Process.Output);
        var during = await Assert.ThrowsAsync<StoreException>(() => front.Store.GetAsync(Ns, "during", Ct));
        Assert.Equal(StoreErrorKind.NotFound, during.Kind);
        Assert.All(healthWhileDown, h => Assert.Equal((HttpStatusCode.OK, "ok"), h));
        Assert.False(controller.Process.HasExited, controller.Process.Output);
        Assert.Equal((HttpStatusCode.OK, "ok"), await controller.GetAsync("/healthz", Ct));
        // Nothing duplicated: one Deployment per service, and the stack refused while etcd was down made nothing.
        Assert.Equal(["alpha", "beta"], Names(await ListAsync("apis/apps/v1/namespaces/" + Ns + "/deployments")));
        Assert.Equal(2, (await ListAsync("api/v1/namespaces/" + Ns + "/pods")).Count);
        Assert.Equal(0, await controller.StopAsync(Ct));
    }

    private static List<string> Names(List<JsonObject> items) => [.. items.Select(i => i["metadata"]!["name"]!.ToString()).Order(StringComparer.Ordinal)];

    /// <summary>Creates (POST) or changes (merge PATCH) a v1beta1 stack through the double as its default user; the status code.</summary>
    private async Task<HttpStatusCode> WriteStackAsync(HttpMethod method, string name, string compose)
    {
        using var client = front.Client(front.Api.Token);
        var collection = $"apis/compose.docker.com/v1beta1/namespaces/{Ns}/stacks";
        var body = method == HttpMethod.Post
            ? new JsonObject { ["apiVersion"] = "compose.docker.com/v1beta1", ["kind"] = "Stack", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = new JsonObject { ["composeFile"] = compose } }
            : new JsonObject { ["spec"] = new JsonObject { ["composeFile"] = compose } };
        using var request = new HttpRequestMessage(method, method == HttpMethod.Post ? collection : collection + "/" + name)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, method == HttpMethod.Post ? "application/json" : "application/merge-patch+json"),
        };
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private string? Image(string deployment)
    {
        using var client = front.Client(front.Api.Token);
        using var response = client.GetAsync($"apis/apps/v1/namespaces/{Ns}/deployments/{deployment}", Ct).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult())?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"]?.ToString()
            : null;
    }

    private string? Phase(string stack)
    {
        using var client = front.Client(front.Api.Token);
        using var response = client.GetAsync($"apis/compose.docker.com/v1beta2/namespaces/{Ns}/stacks/{stack}", Ct).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult())?["status"]?["phase"]?.ToString()
            : null;
    }

    private async Task<List<JsonObject>> ListAsync(string path)
    {
        using var client = front.Client(front.Api.Token);
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        return [.. (list["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }
}
