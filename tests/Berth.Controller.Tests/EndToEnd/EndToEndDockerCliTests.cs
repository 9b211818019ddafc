using System.Net;
using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Kubernetes.ApiDouble;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.Controller.Tests.EndToEnd;

/// <summary>
/// Issue 12's end to end: the real docker CLI 20.10 → the documented Kubernetes API test double acting as
/// kube-apiserver (tests/Berth.Kubernetes.ApiDouble — not a cluster) → its aggregation proxy → berth-apiserver on a
/// real etcd (<see cref="FrontFixture"/>) → the berth-controller process (list/watch through the double) → objects
/// in the double → the double's simulated controllers and kubelet make pods ready → the CLI's wait ends.
/// </summary>
public sealed class EndToEndDockerCliTests(FrontFixture front, ITestOutputHelper output) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Compose = """
        version: "3.8"
        services:
          web:
            image: nginx:1.25-alpine
            ports:
              - "8080:80"
            deploy:
              replicas: 2
          cache:
            image: redis:7-alpine
        """;

    [Fact]
    public void TheDockerCli_Is20_10()
    {
        // --version: the client alone (docker version would also wait for a daemon, which is not needed here).
        var version = front.DockerCli(TimeSpan.FromSeconds(30), "--version");
        Assert.StartsWith("Docker version 20.10.", version.Stdout.Trim());
    }

    [Fact]
    public async Task DockerStackDeploy_WaitsForTheControllersPods_LsPsShowThem_RmRemovesTheChildren()
    {
        front.Api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"apps"}}""");
        front.Api.Controllers.Enabled = true;
        var composeFile = front.Folder.Write("compose.yaml", Compose);
        using var controller = await RunningControllerProcess.StartAsync(front.Kubeconfig, ["--leader-elect=false", "--namespace", "apps", "--workers", "2"], Ct);
        front.Api.ClearRequests();

        // Without --detach the CLI waits until every service has a ready pod (docker/cli v20.10
        // cli/command/stack/kubernetes/watcher.go: podWatcher.allReady) or the stack's status is Failure.
        var deployed = front.DockerCli(TimeSpan.FromSeconds(120), "stack", "deploy", "-c", composeFile, "--orchestrator=kubernetes", "--namespace", "apps", "demo");
        Log("docker stack deploy", front.Api.Requests);
        Assert.True(deployed.ExitCode == 0, deployed + "\ncontroller:\n" + controller.Process.Output);
        Assert.Contains("Waiting for the stack to be stable and running...", deployed.Stdout);
        Assert.Contains("Stack demo is stable and running", deployed.Stdout);
        var requests = front.Api.Requests;
        // What docker stack deploy asks (see docs/design/stack-api.md): the stack by name (404), create in the
        // preferred version v1alpha3, then list/watch of the stack's pods.
        Assert.Contains(requests, r => r is { Method: "GET", Path: "/apis/compose.docker.com/v1alpha3/namespaces/apps/stacks/demo", StatusCode: 404 });
        Assert.Contains(requests, r => r is { Method: "POST", Path: "/apis/compose.docker.com/v1alpha3/namespaces/apps/stacks", StatusCode: 201 });
        Assert.Contains(requests, r => r.Path == "/api/v1/namespaces/apps/pods" && r.Query.Contains("com.docker.stack.namespace%3Ddemo", StringComparison.Ordinal));
        // The pods the CLI waited for are the simulated ones of the controller's Deployments, written as the owner.
        Assert.Contains(requests, r => r is { Method: "PATCH", Path: "/apis/apps/v1/namespaces/apps/deployments/web" } && r.StatusCode < 300);
        Assert.Contains(requests, r => r is { Method: "PATCH", Path: "/apis/apps/v1/namespaces/apps/deployments/cache" } && r.StatusCode < 300);
        var pods = await ListAsync("api/v1/namespaces/apps/pods");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("True", ReadyCondition(p)));
        var stored = await front.Store.GetAsync("apps", "demo", Ct);
        Assert.Contains("nginx:1.25-alpine", stored.ToJsonString());

        // The controller's status reaches Available once the Deployments report their ready replicas.
        await Poll.UntilAsync(() => Phase() == "Available", "the stack's status phase Available", Ct, TimeSpan.FromSeconds(60));

        front.Api.ClearRequests();
        var ls = front.DockerCli(TimeSpan.FromSeconds(60), "stack", "ls", "--orchestrator=kubernetes");
        Log("docker stack ls", front.Api.Requests);
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Matches(@"(?m)^demo\s+2\s+Kubernetes\s+apps\s*$", ls.Stdout);

        // docker stack ps lists the stack's pods and the nodes (cli/command/stack/kubernetes/ps.go): a task per pod,
        // named <stack>_<pod>, on the double's one node, Running.
        front.Api.ClearRequests();
        var ps = front.DockerCli(TimeSpan.FromSeconds(60), "stack", "ps", "demo", "--orchestrator=kubernetes", "--namespace", "apps");
        Log("docker stack ps", front.Api.Requests);
        Assert.True(ps.ExitCode == 0, ps.ToString());
        Assert.Equal(2, CountMatches(ps.Stdout, @"(?m)\sdemo_web-[a-z0-9]+-[a-z0-9]{5}\s+nginx:1\.25-alpine\s+node-1\s+Running\s+Running"));
        Assert.Equal(1, CountMatches(ps.Stdout, @"(?m)\sdemo_cache-[a-z0-9]+-[a-z0-9]{5}\s+redis:7-alpine\s+node-1\s+Running\s+Running"));

        front.Api.ClearRequests();
        var services = front.DockerCli(TimeSpan.FromSeconds(60), "stack", "services", "demo", "--orchestrator=kubernetes", "--namespace", "apps");
        Log("docker stack services", front.Api.Requests);
        // docker 20.10 lists apps/v1beta2 ReplicaSets and DaemonSets (cli/command/stack/kubernetes/services.go),
        // an API Kubernetes removed in 1.16: a real kube-apiserver answers this 404 too, and so does the double.
        // It gets as far as the stack.
        Assert.NotEqual(0, services.ExitCode);
        Assert.Contains("the server could not find the requested resource", services.Stderr);
        Assert.Contains(front.Api.Requests, r => r is { Path: "/apis/compose.docker.com/v1alpha3/namespaces/apps/stacks/demo", StatusCode: 200 });
        Assert.Contains(front.Api.Requests, r => r is { Path: "/apis/apps/v1beta2/namespaces/apps/replicasets", StatusCode: 404 });

        // docker stack rm deletes the stack; the controller's finalizer removes its children before the stack goes.
        front.Api.ClearRequests();
        var rm = front.DockerCli(TimeSpan.FromSeconds(60), "stack", "rm", "demo", "--orchestrator=kubernetes", "--namespace", "apps");
        Log("docker stack rm", front.Api.Requests);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Contains("Removing stack: demo", rm.Stdout);
        await Poll.UntilAsync(() => !Stored("apps", "demo"), "the stack to leave etcd", Ct, TimeSpan.FromSeconds(60));
        Assert.Empty(await ListAsync("apis/apps/v1/namespaces/apps/deployments"));
        Assert.Empty(await ListAsync("api/v1/namespaces/apps/services"));
        Assert.Contains(front.Api.Requests, r => r is { Method: "DELETE", Path: "/apis/apps/v1/namespaces/apps/deployments/web" } && r.StatusCode < 300);
        await Poll.UntilAsync(() => ListAsync("api/v1/namespaces/apps/pods").GetAwaiter().GetResult().Count == 0, "the pods to be collected", Ct, TimeSpan.FromSeconds(30));
        var after = front.DockerCli(TimeSpan.FromSeconds(60), "stack", "ls", "--orchestrator=kubernetes");
        Assert.DoesNotContain("demo", after.Stdout);
        Assert.False(controller.Process.HasExited, controller.Process.Output);
    }

    private static int CountMatches(string text, string pattern) => System.Text.RegularExpressions.Regex.Matches(text, pattern).Count;

    private static string? ReadyCondition(JsonObject pod)
        => (pod["status"]?["conditions"] as JsonArray ?? []).FirstOrDefault(c => c?["type"]?.ToString() == "Ready")?["status"]?.ToString();

    private string? Phase()
    {
        var stack = front.Kubectl(null, "get", "stacks.v1beta2.compose.docker.com", "demo", "-n", "apps", "-o", "jsonpath={.status.phase}");
        return stack.ExitCode == 0 ? stack.Stdout.Trim() : null;
    }

    private async Task<List<JsonObject>> ListAsync(string path)
    {
        using var client = front.Client(front.Api.Token);
        using var response = await client.GetAsync(path + "?labelSelector=" + Uri.EscapeDataString("com.docker.stack.namespace=demo"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        return [.. (list["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    private bool Stored(string ns, string name)
    {
        try
        {
            front.Store.GetAsync(ns, name, Ct).GetAwaiter().GetResult();
            return true;
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.NotFound)
        {
            return false;
        }
    }

    private void Log(string what, IReadOnlyList<RecordedRequest> requests)
    {
        output.WriteLine($"--- {what}");
        foreach (var r in requests)
        {
            output.WriteLine($"{r.Method} {r.Path}{(r.Query.Length > 0 ? r.Query : "")} → {r.StatusCode}");
        }
    }
}
