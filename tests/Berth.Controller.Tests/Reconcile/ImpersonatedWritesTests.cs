using System.Collections.Immutable;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Observe;
using Berth.Testing;
using k8s;
using k8s.Models;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>
/// Writes made through <see cref="KubernetesCluster"/> with <see cref="KubernetesAccessOptions.Impersonate"/> (the
/// controller's transport), against the Kubernetes API test double — the documented double, not a cluster — which
/// holds impersonation to kube-apiserver's filter (one value per header line; impersonate verbs checked per value).
/// </summary>
public sealed class ImpersonatedWritesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Impersonation Owner = new(
        "alice",
        "alice-uid",
        ["dev", "ops"],
        ImmutableDictionary<string, ImmutableArray<string>>.Empty.Add("example.com/team", ["blue"]));

    private static V1ConfigMap ConfigMap(string name) => new() { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["a"] = "1" } };

    private static string KubeconfigWithToken(KubernetesApiDouble api, TempProject folder, string token)
    {
        var path = api.WriteKubeconfig(folder.PathOf("kubeconfig"));
        File.WriteAllText(path, File.ReadAllText(path).Replace($"token: {api.Token}", $"token: {token}", StringComparison.Ordinal));
        return path;
    }

    [Fact]
    public async Task AWrite_AsTheOwner_ArrivesWithEachGroupAndExtraValueSeparately()
    {
        using var folder = new TempProject();
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        api.Aggregation.Allow(new RbacRule("alice", ["create"], "", ["configmaps"]));
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = api.WriteKubeconfig(folder.PathOf("kubeconfig")), Impersonate = Owner });

        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default", cancellationToken: Ct);

        var write = Assert.Single(api.Requests, r => r.IsWrite);
        Assert.Equal(201, write.StatusCode);
        Assert.Equal(KubernetesApiDouble.UserName, write.ImpersonatedBy);
        Assert.Equal("alice", write.User!.Name);
        Assert.Equal("alice-uid", write.User.Uid);
        // Two groups, not the one group "dev, ops" a folded header line would be.
        Assert.Equal(["dev", "ops", "system:authenticated"], write.User.Groups);
        Assert.Equal(["blue"], write.User.Extra["example.com/team"]);
        Assert.NotNull(api.Get("configmaps", "default", "settings"));
    }

    [Fact]
    public async Task AControllerThatMayNotImpersonate_IsRefused_AndNothingIsWritten()
    {
        using var folder = new TempProject();
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        api.Aggregation.AddUser("controller-token", "berth-controller");
        // It may impersonate the user and one group, not the second group.
        api.Aggregation.Allow(new RbacRule("berth-controller", ["impersonate"], "", ["users", "groups"], ResourceNames: ["alice", "dev"]));
        api.Aggregation.Allow(new RbacRule("alice", ["create"], "", ["configmaps"]));
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = KubeconfigWithToken(api, folder, "controller-token"), Impersonate = Owner });

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), "default", cancellationToken: Ct));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.Response.StatusCode);
        var status = System.Text.Json.Nodes.JsonNode.Parse(refused.Response.Content)!;
        Assert.Equal("groups \"ops\" is forbidden: User \"berth-controller\" cannot impersonate resource \"groups\" in API group \"\" at the cluster scope", status["message"]!.ToString());
        Assert.Null(api.Get("configmaps", "default", "settings"));
    }

    [Fact]
    public async Task AWatch_AsTheOwner_Streams()
    {
        using var folder = new TempProject();
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        api.Aggregation.Allow(new RbacRule("alice", ["list", "watch"], "", ["configmaps"]));
        using var cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = api.WriteKubeconfig(folder.PathOf("kubeconfig")), Impersonate = Owner });
        using var seen = new SemaphoreSlim(0);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));

        var watching = Task.Run(async () =>
        {
            await foreach (var change in WatchStream.ReadAsync((k8s.Kubernetes)cluster.Client, "api/v1/namespaces/default/configmaps", string.Empty, null, 60, deadline.Token))
            {
                if (change.Type == "ADDED" && change.ObjectJson.Contains("\"later\"", StringComparison.Ordinal))
                {
                    seen.Release();
                    return;
                }
            }
        }, Ct);
        using var admin = api.CreateClient();
        await Poll.UntilAsync(() => api.Requests.Any(r => r.Verb == "watch"), "the watch to start", Ct);
        await admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("later"), "default", cancellationToken: Ct);

        Assert.True(await seen.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        await watching;
        Assert.Contains(api.Requests, r => r.Verb == "watch" && r.User?.Name == "alice");
    }
}
