using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack</c> under Kubernetes through the real command tree, against the in-process test double of the
/// Kubernetes API (not a cluster), reached through a kubeconfig the double writes. The double's simulated
/// controllers are off unless a test turns them on, so deploys use <c>--detach</c> (nothing would roll out) unless
/// waiting is the point.
/// </summary>
public sealed class KubernetesStackCliTests() : KubernetesStackCliTest(
    ("compose.yaml", Compose),
    ("changed.yaml", Compose.Replace("GREETING: hello", "GREETING: changed", StringComparison.Ordinal)),
    ("broken.yaml", "services:\n  web:\n    image: [oops\n"))
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80"]
            deploy: {replicas: 2}
            environment: {GREETING: hello}
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
        """;

    private (int ExitCode, string Stdout, string Stderr) Deploy(string file = "compose.yaml", params string[] extra)
        => Berth(["deploy", "demo", "-c", Project.PathOf(file), "--detach", .. extra]);

    [Fact]
    public void Deploy_CreatesTheObjects_ThenAnUnchangedRedeployWritesNothing()
    {
        var (code, stdout, stderr) = Deploy();

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("Deploying stack demo to namespace shop (context \"double\"", stdout, StringComparison.Ordinal);
        Assert.Matches(@"Stack demo: \d+ created, 0 updated, 0 unchanged, 0 removed", stdout);
        var web = Double.Get("deployments.apps", "shop", "web");
        Assert.NotNull(web);
        Assert.Equal("demo", web["metadata"]!["labels"]!["com.docker.stack.namespace"]!.GetValue<string>());
        Assert.NotNull(Double.Get("services", "shop", "web-published"));
        Assert.NotNull(Double.Get("deployments.apps", "shop", "worker"));

        var writes = Double.Writes;
        var (again, againOut, againErr) = Deploy();

        Assert.True(again == ExitCodes.Success, againErr);
        Assert.Matches(@"Stack demo is up to date \(\d+ objects unchanged\)", againOut);
        Assert.Equal(writes, Double.Writes);
    }

    [Fact]
    public void Diff_ShowsTheChange_AndExitCodeSaysWhetherThereIsOne()
    {
        Assert.Equal(ExitCodes.Success, Deploy().ExitCode);
        var writes = Double.Writes;

        var (same, sameOut, _) = Berth("diff", "demo", "-c", Project.PathOf("compose.yaml"), "--exit-code");
        var (changed, changedOut, changedErr) = Berth("diff", "demo", "-c", Project.PathOf("changed.yaml"), "--exit-code");
        var (json, jsonOut, _) = Berth("diff", "demo", "-c", Project.PathOf("changed.yaml"), "--format", "json");

        Assert.Equal(ExitCodes.Success, same);
        Assert.Contains("Stack demo is up to date", sameOut, StringComparison.Ordinal);
        Assert.True(changed == ExitCodes.DifferencesFound, changedErr);
        Assert.Contains("~ update Deployment web", changedOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, json);
        using var rows = JsonDocument.Parse(jsonOut);
        Assert.Contains(rows.RootElement.EnumerateArray(), r => r.GetProperty("action").GetString() == "update" && r.GetProperty("name").GetString() == "web");
        Assert.Equal(writes, Double.Writes);
    }

    [Fact]
    public void Deploy_WithNetworkPolicies_AppliesThePolicies_AndARedeployWithoutThemPrunesThem()
    {
        var (code, _, stderr) = Deploy("compose.yaml", "--network-policies");

        Assert.True(code == ExitCodes.Success, stderr);
        // One policy for the default network both services share, one admitting anyone on web's published port.
        var policies = Double.List("networkpolicies.networking.k8s.io", "shop");
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.Equal("demo", p["metadata"]!["labels"]!["com.docker.stack.namespace"]!.GetValue<string>()));

        // Without the flag the next deploy prunes the policy: it is the stack's and no longer planned.
        var (again, _, againErr) = Deploy();
        Assert.True(again == ExitCodes.Success, againErr);
        Assert.Empty(Double.List("networkpolicies.networking.k8s.io", "shop"));
    }

    [Fact]
    public void LsServicesPs_TableAndJson()
    {
        Assert.Equal(ExitCodes.Success, Deploy().ExitCode);
        Double.Seed("""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "web-7d4b9-abcde", "namespace": "shop", "uid": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
                          "labels": {"com.docker.stack.namespace": "demo", "com.docker.service.name": "web"}},
             "spec": {"nodeName": "node-1", "containers": [{"name": "web", "image": "nginx:1.27"}]},
             "status": {"phase": "Running", "containerStatuses": [{"name": "web", "image": "nginx:1.27", "imageID": "", "ready": true, "restartCount": 3, "state": {"running": {}}}]}}
            """);

        var (lsCode, ls, _) = Berth("ls");
        var (_, lsJson, _) = Berth("ls", "--format", "json");
        var (servicesCode, services, _) = Berth("services", "demo");
        var (_, quiet, _) = Berth("services", "demo", "-q", "--filter", "name=web");
        var (_, servicesJson, _) = Berth("services", "demo", "--format", "json", "--filter", "mode=replicated");
        var (psCode, ps, _) = Berth("ps", "demo");
        var (_, psJson, _) = Berth("ps", "demo", "--format", "json");

        Assert.Equal(ExitCodes.Success, lsCode);
        Assert.Matches(@"^NAME\s+SERVICES\s+ORCHESTRATOR\s+NAMESPACE\ndemo\s+2\s+kubernetes\s+shop\n$", ls);
        using (var doc = JsonDocument.Parse(Assert.Single(JsonLines(lsJson))))
        {
            var row = doc.RootElement;
            Assert.Equal(("demo", "2", "kubernetes", "shop"), (row.GetProperty("Name").GetString(), row.GetProperty("Services").GetString(), row.GetProperty("Orchestrator").GetString(), row.GetProperty("Namespace").GetString()));
        }

        Assert.Equal(ExitCodes.Success, servicesCode);
        Assert.StartsWith("ID", services, StringComparison.Ordinal);
        Assert.Matches(@"\n\S+\s+web\s+replicated\s+0/2\s+nginx:1\.27\s+\S*8080->80/TCP", services);
        Assert.Matches(@"\n\S+\s+worker\s+replicated\s+0/1\s+busybox:1\.36", services);
        Assert.Single(quiet.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["web", "worker"], JsonLines(servicesJson).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.GetProperty("Name").GetString();
        }));

        Assert.Equal(ExitCodes.Success, psCode);
        Assert.Matches(@"^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+RESTARTS\s+ERROR\s+PORTS\n\S{12}\s+web-7d4b9-abcde\s+nginx:1\.27\s+node-1\s+Running\s+Running\s+3\n$", ps);
        using (var doc = JsonDocument.Parse(Assert.Single(JsonLines(psJson))))
        {
            var pod = doc.RootElement;
            Assert.Equal("3", pod.GetProperty("Restarts").GetString());
            Assert.Equal("node-1", pod.GetProperty("Node").GetString());
        }
    }

    /// <summary>--format json prints one object per line, as docker does.</summary>
    private static string[] JsonLines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Rm_RemovesTheStack_ThenNothingIsFound()
    {
        Assert.Equal(ExitCodes.Success, Deploy().ExitCode);

        var (code, stdout, stderr) = Berth("rm", "demo");
        var (again, _, againErr) = Berth("rm", "demo");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("Removing Deployment web", stdout, StringComparison.Ordinal);
        Assert.Null(Double.Get("deployments.apps", "shop", "web"));
        Assert.Empty(Double.List("services", "shop"));
        Assert.Equal(ExitCodes.Success, again);
        Assert.Contains("Nothing found in stack: demo", againErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Collision_ExitsThree_ListsIt_AndChangesNothing()
    {
        Double.Seed("""{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"ports": [{"port": 80}]}}""");

        var (code, _, stderr) = Deploy();

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains("Service web exists and is not part of stack demo", stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", stderr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);
        Assert.Null(Double.Get("deployments.apps", "shop", "web"));
        Assert.Null(Double.Get("services", "shop", "web")!["metadata"]!["labels"]);
    }

    [Fact]
    public void BadComposeFile_ExitsOne_WithoutAnyRequest()
    {
        var (code, stdout, stderr) = Deploy("broken.yaml");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("nothing was changed", stderr, StringComparison.Ordinal);
        Assert.Empty(Double.Requests);
    }

    [Fact]
    public void NotConverged_ExitsThree_WithTheFailures()
    {
        // No simulated controllers: the Deployments never report ready replicas, so the wait runs out.
        var (code, _, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--timeout", "1s");

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains("berth stack deploy: stack demo did not converge (waited up to 1s):", stderr, StringComparison.Ordinal);
        Assert.Contains("web", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RbacRefusal_ExitsThree_NamingVerbAndResource()
    {
        Double.Deny("list", "deployments.apps", "shop");

        var (code, _, stderr) = Berth("services", "demo");

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains("berth stack services: ", stderr, StringComparison.Ordinal);
        Assert.Contains("deployments", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Double.Token, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void LsAll_ListsKubernetesStacks_WhenSwarmIsUnreachable()
    {
        Assert.Equal(ExitCodes.Success, Deploy().ExitCode);
        var closed = FreePort.Loopback();

        var (code, stdout, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{closed}" }, "stack", "ls", "--orchestrator", "all", "--kubeconfig", Kubeconfig);

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("warning: Swarm stacks not listed: ", stderr, StringComparison.Ordinal);
        Assert.Matches(@"\ndemo\s+2\s+kubernetes\s+shop\n", stdout);
    }

    [Fact]
    public void Ls_AllNamespaces_ListsTheStacksOfEveryNamespace_WithoutItOnlyTheCurrentOnes()
    {
        Assert.Equal(ExitCodes.Success, Deploy().ExitCode);
        var other = Project.Write("backoffice.yaml", "services:\n  admin:\n    image: nginx:1.27\n");
        var backoffice = Berth("deploy", "backoffice", "-c", other, "--detach", "--namespace", "admin");
        Assert.True(backoffice.ExitCode == ExitCodes.Success, backoffice.Stderr);
        var demoAdmin = Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--detach", "--namespace", "admin");
        Assert.True(demoAdmin.ExitCode == ExitCodes.Success, demoAdmin.Stderr);

        var (code, ls, stderr) = Berth("ls");
        var (allCode, all, allErr) = Berth("ls", "-A");
        var (longCode, allLong, _) = Berth("ls", "--all-namespaces", "--format", "{{.Name}}/{{.Namespace}}");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Matches(@"^NAME\s+SERVICES\s+ORCHESTRATOR\s+NAMESPACE\ndemo\s+2\s+kubernetes\s+shop\n$", ls);
        Assert.True(allCode == ExitCodes.Success, allErr);
        Assert.Matches(@"^NAME\s+SERVICES\s+ORCHESTRATOR\s+NAMESPACE\nbackoffice\s+1\s+kubernetes\s+admin\ndemo\s+2\s+kubernetes\s+admin\ndemo\s+2\s+kubernetes\s+shop\n$", all);
        Assert.Equal(ExitCodes.Success, longCode);
        Assert.Equal("backoffice/admin\ndemo/admin\ndemo/shop\n", allLong);
    }

    [Fact]
    public void Deploy_WaitsForTheRollout_WithSimulatedControllers()
    {
        Double.Controllers.Enabled = true;

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--timeout", "60s");
        var (_, services, _) = Berth("services", "demo");
        var (_, ps, _) = Berth("ps", "demo");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Matches(@"Stack demo: \d+ created", stdout);
        Assert.Matches(@"\n\S+\s+web\s+replicated\s+2/2\s", services);
        Assert.Equal(3, ps.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains(" node-1 ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Deploy_PodsThatCannotPull_ExitsThreeWithTheReason()
    {
        Double.Controllers.Enabled = true;
        Double.Controllers.FailPods("web", PodProblem.ImagePullBackOff);

        var (code, _, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--timeout", "3s");

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains("did not converge", stderr, StringComparison.Ordinal);
        Assert.Contains("ImagePullBackOff", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InterruptedDeploy_ThenRerun_Converges()
    {
        Double.FailWritesAfter(3);

        var (failed, _, failedErr) = Deploy();
        Double.FailWritesAfter(int.MaxValue);
        var (rerun, rerunOut, rerunErr) = Deploy();
        var (again, againOut, _) = Deploy();

        Assert.Equal(ExitCodes.OrchestratorError, failed);
        Assert.StartsWith("berth stack deploy: ", failedErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", failedErr, StringComparison.Ordinal);
        Assert.True(rerun == ExitCodes.Success, rerunErr);
        Assert.Matches(@"Stack demo: \d+ created", rerunOut);
        Assert.Equal(ExitCodes.Success, again);
        Assert.Contains("Stack demo is up to date", againOut, StringComparison.Ordinal);
        Assert.Equal(["web", "worker"], Double.List("deployments.apps", "shop").Select(d => d["metadata"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }
}
