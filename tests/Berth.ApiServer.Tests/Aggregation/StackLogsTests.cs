using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Berth.Kubernetes.ApiDouble;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// stacks/log through real kubectl, the Kubernetes API test double as kube-apiserver's aggregation front (the
/// documented double, not a cluster: its pods are seeded, their log lines appended by the test) and a real
/// berth-apiserver on a real etcd. berth-apiserver reads pods and logs from the double as the requesting user, by
/// impersonation with its own delegate credentials (the double's user berth-test).
/// </summary>
public sealed class StackLogsTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private const string Ns = "logs";
    private const string LogPath = "/apis/compose.docker.com/v1beta2/namespaces/logs/stacks/shop/log";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ImmutableDictionary<string, ImmutableArray<string>> AliceExtra =
        ImmutableDictionary<string, ImmutableArray<string>>.Empty.Add("example.com/team", ["blue"]);

    private static int _prepared;

    // The stack "shop" in "logs" (created by the default user), its pods web-0 and web-1 with three lines each, and a
    // pod of another stack; alice may read the stack, its log, pods and pods/log; bob everything but pods/log.
    private void Prepare()
    {
        if (Interlocked.Exchange(ref _prepared, 1) == 1)
        {
            return;
        }

        front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{Ns}}}"}}""");
        CreateStack("shop");
        CreateStack("cart");
        SeedPod("web-0", "shop");
        SeedPod("web-1", "shop");
        SeedPod("other-0", "other");
        SeedPod("cart-0", "cart");
        front.Api.AppendPodLog(Ns, "cart-0", "web", "c1");
        front.Api.AppendPodLog(Ns, "cart-0", "web", "c2");
        foreach (var i in new[] { 1, 2, 3 })
        {
            front.Api.AppendPodLog(Ns, "web-0", "web", $"a{i}");
            front.Api.AppendPodLog(Ns, "web-1", "web", $"b{i}");
            front.Api.AppendPodLog(Ns, "other-0", "web", $"o{i}");
        }

        var aggregation = front.Api.Aggregation;
        aggregation.AddUserAs("alice-logs", new DoubleUser("alice", "", ["dev", "system:authenticated"], AliceExtra));
        aggregation.AddUser("bob-logs", "bob");
        foreach (var user in new[] { "alice", "bob" })
        {
            aggregation.Allow(new RbacRule(user, ["get"], "compose.docker.com", ["stacks", "stacks/log"], Ns));
            aggregation.Allow(new RbacRule(user, ["get", "list", "watch"], "", ["pods"], Ns));
        }

        aggregation.Allow(new RbacRule("alice", ["get"], "", ["pods/log"], Ns));
    }

    private void CreateStack(string name)
    {
        var file = front.Folder.Write($"logs-{name}.yaml", $"""
            apiVersion: compose.docker.com/v1beta2
            kind: Stack
            metadata:
              name: {name}
              namespace: logs
            spec:
              services:
              - name: web
                image: nginx:1.25-alpine
            """);
        var created = front.Kubectl(null, "create", "-f", file);
        Assert.True(created.ExitCode == 0, created.ToString());
    }

    private void SeedPod(string name, string stack)
        => front.Api.Seed("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"POD","namespace":"logs","labels":{"com.docker.stack.namespace":"STACK","com.docker.service.name":"web"}},
             "spec":{"containers":[{"name":"web","image":"nginx:1.25-alpine"}]},
             "status":{"phase":"Running","containerStatuses":[{"name":"web","ready":true,"restartCount":0,"image":"nginx:1.25-alpine","imageID":"","state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}}
            """.Replace("POD", name, StringComparison.Ordinal).Replace("STACK", stack, StringComparison.Ordinal));

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Tail_GivesTheLastLinesOfEachPod_PrefixedWithThePodName_ReadAsTheRequestingUser()
    {
        Prepare();
        front.Api.ClearRequests();

        var result = front.Kubectl("alice-logs", "get", "--raw", LogPath + "?tail=2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["web-0 a2", "web-0 a3", "web-1 b2", "web-1 b3"], Lines(result.Stdout).Order(StringComparer.Ordinal));
        // Every upstream read (the pod list and each pod's log) went to the cluster impersonating alice, with her
        // groups and extra, from berth-apiserver's delegate credentials (berth-test).
        var upstream = front.Api.Requests.Where(r => r.Resource == "pods").ToList();
        Assert.Equal(3, upstream.Count);
        Assert.Contains(upstream, r => r is { Verb: "list", Query: "?labelSelector=com.docker.stack.namespace%3Dshop" });
        Assert.Equal(2, upstream.Count(r => r.Subresource == "log" && r.Query.Contains("tailLines=2", StringComparison.Ordinal)));
        Assert.All(upstream, r =>
        {
            Assert.Equal(KubernetesApiDouble.UserName, r.ImpersonatedBy);
            Assert.Equal("alice", r.User!.Name);
            Assert.Equal(["dev", "system:authenticated"], r.User.Groups);
            Assert.Equal(["blue"], r.User.Extra["example.com/team"]);
        });
    }

    [Fact]
    public void Filter_IsARegexOverThePrefixedLines()
    {
        Prepare();

        var result = front.Kubectl("alice-logs", "get", "--raw", LogPath + "?filter=" + Uri.EscapeDataString("^web-1 b[23]$"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["web-1 b2", "web-1 b3"], Lines(result.Stdout));
    }

    [Fact]
    public void AUserAllowedTheStackButNotPodsLog_GetsTheClustersForbidden_NeverTheLogs()
    {
        Prepare();

        var result = front.Kubectl("bob-logs", "get", "--raw", LogPath);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("pods \"web-0\" is forbidden: User \"bob\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"logs\"", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("a1", result.Stdout, StringComparison.Ordinal);
        // berth-apiserver authorized stacks/log for bob itself first (SubjectAccessReview on the subresource).
        Assert.Contains(front.Api.AccessReviews, r => r["user"]?.ToString() == "bob" && r["resourceAttributes"]?["subresource"]?.ToString() == "log");
    }

    [Fact]
    public async Task Follow_StreamsLinesAppendedLater_AndPodsThatStartLater_UntilTheClientGoes()
    {
        Prepare();
        var seen = new ConcurrentQueue<string>();
        using var kubectl = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/bin/kubectl")
            {
                ArgumentList = { "--kubeconfig", front.Kubeconfig, "--token", "alice-logs", "get", "--raw", "/apis/compose.docker.com/v1alpha3/namespaces/logs/stacks/cart/log?follow=true&tail=1" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment = { ["HOME"] = front.Folder.Directory, ["KUBECACHEDIR"] = front.Folder.PathOf("kube-cache") },
            },
        };
        kubectl.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                seen.Enqueue(line);
            }
        };
        kubectl.Start();
        kubectl.BeginOutputReadLine();
        try
        {
            await WaitForAsync(seen, "cart-0 c2");
            front.Api.AppendPodLog(Ns, "cart-0", "web", "later");
            await WaitForAsync(seen, "cart-0 later");
            front.Api.AppendPodLog(Ns, "cart-1", "web", "d1");
            SeedPod("cart-1", "cart");
            await WaitForAsync(seen, "cart-1 d1");
            // tail=1: the older line is not sent; the other stacks' pods never are.
            Assert.DoesNotContain("cart-0 c1", seen);
            Assert.DoesNotContain(seen, l => !l.StartsWith("cart-", StringComparison.Ordinal));
        }
        finally
        {
            kubectl.Kill(entireProcessTree: true);
            await kubectl.WaitForExitAsync(Ct);
        }

        // The client went away: berth-apiserver closes its upstream log streams, so the double has none left open.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        await front.Api.WaitForRequestsAsync(deadline.Token);
    }

    private static async Task WaitForAsync(ConcurrentQueue<string> seen, string line)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!seen.Contains(line))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no \"{line}\" within 20 s; seen: {string.Join(" | ", seen)}");
            await Task.Delay(50, Ct);
        }
    }
}
