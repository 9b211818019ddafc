using Berth.Testing;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// NamespaceLifecycle admission against the namespaces of the Kubernetes API test double (not a cluster), with the
/// real kubectl talking to the double, which proxies to berth-apiserver as kube-apiserver's aggregator does.
/// </summary>
public sealed class NamespaceLifecycleTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static string Manifest(string name, string @namespace) => StackManifests.Yaml(name, metadata: $"namespace: {@namespace}");

    private ToolResult Kubectl(params string[] args) => front.Kubectl(null, args);

    [Fact]
    public void CreateInANamespaceTheClusterDoesNotHave_Is404()
    {
        var file = front.Folder.Write("nowhere.yaml", Manifest("lost", "nowhere"));
        var created = Kubectl("create", "-f", file);
        Assert.NotEqual(0, created.ExitCode);
        Assert.Contains("Error from server (NotFound)", created.Stderr, StringComparison.Ordinal);
        Assert.Contains("namespaces \"nowhere\" not found", created.Stderr, StringComparison.Ordinal);

        // Once the namespace exists, the same create passes (a namespace not found is never cached).
        front.Api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"nowhere"}}""");
        var again = Kubectl("create", "-f", file);
        Assert.True(again.ExitCode == 0, again.ToString());
    }

    [Fact]
    public void CreateInATerminatingNamespace_Is403_ExistingStacksCanStillBeDeleted()
    {
        front.Api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ending","finalizers":["berth.test/hold"]}}""");
        var file = front.Folder.Write("ending-a.yaml", Manifest("before", "ending"));
        var before = Kubectl("create", "-f", file);
        Assert.True(before.ExitCode == 0, before.ToString());

        Assert.True(front.Api.Delete("namespaces", null, "ending"));
        Assert.Equal("Terminating", front.Api.Get("namespaces", null, "ending")!["status"]!["phase"]!.ToString());
        // The server trusts a namespace it saw for a few seconds, as the plugin's informer lags the cluster.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        ToolResult refused;
        var attempt = 0;
        do
        {
            Thread.Sleep(500);
            refused = Kubectl("create", "-f", front.Folder.Write("ending-b.yaml", Manifest($"after-{attempt++}", "ending")));
        }
        while (refused.ExitCode == 0 && DateTime.UtcNow < deadline);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Error from server (Forbidden)", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"stacks.compose.docker.com \"after-{attempt - 1}\" is forbidden: unable to create new content in namespace ending because it is being terminated", refused.Stderr, StringComparison.Ordinal);

        var deleted = Kubectl("delete", "stack", "before", "-n", "ending");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
    }
}
