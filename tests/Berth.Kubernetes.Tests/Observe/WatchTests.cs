using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Observe;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.Tests.Observe.StackSeeds;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class WatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WatchedCollection<V1Deployment> Deployments(IKubernetes client, Action? listed = null)
        => new("apis/apps/v1/namespaces/shop/deployments", async ct =>
        {
            listed?.Invoke();
            var l = await client.AppsV1.ListNamespacedDeploymentAsync("shop", labelSelector: "com.docker.stack.namespace=shop", cancellationToken: ct);
            return (l.Items, l.Metadata?.ResourceVersion);
        });

    [Fact]
    public void Parse_SplitsTypeAndObject()
    {
        var e = WatchStream.Parse("""{"type":"MODIFIED","object":{"kind":"Deployment","metadata":{"name":"web","resourceVersion":"7"}}}""");

        Assert.Equal("MODIFIED", e.Type);
        Assert.Equal("""{"kind":"Deployment","metadata":{"name":"web","resourceVersion":"7"}}""", e.ObjectJson);
    }

    [Fact]
    public void Apply_AddModifyDeleteBookmark_KeepTheCollectionCurrent()
    {
        var collection = new WatchedCollection<V1Deployment>("unused", _ => throw new InvalidOperationException());

        Assert.True(collection.Apply(new WatchEvent("ADDED", """{"metadata":{"name":"web","resourceVersion":"5"},"spec":{"replicas":1}}""")));
        Assert.True(collection.Apply(new WatchEvent("MODIFIED", """{"metadata":{"name":"web","resourceVersion":"6"},"spec":{"replicas":3}}""")));
        Assert.Equal(3, collection.Get("web")!.Spec.Replicas);
        Assert.False(collection.Apply(new WatchEvent("BOOKMARK", """{"metadata":{"resourceVersion":"9"}}""")));
        Assert.True(collection.Apply(new WatchEvent("DELETED", """{"metadata":{"name":"web","resourceVersion":"10"}}""")));
        Assert.Empty(collection.Items);
    }

    [Fact]
    public void Apply_Error410_AsksForARelist_OtherErrorsStopTheWatch()
    {
        var collection = new WatchedCollection<V1Deployment>("unused", _ => throw new InvalidOperationException());

        Assert.Throws<WatchExpiredException>(() => collection.Apply(new WatchEvent("ERROR", """{"kind":"Status","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}""")));
        Assert.Throws<InvalidOperationException>(() => collection.Apply(new WatchEvent("ERROR", """{"kind":"Status","status":"Failure","reason":"InternalError","code":500}""")));
    }

    /// <summary>Against the Kubernetes API test double (not a cluster): its watch answers an expired version with an ERROR 410 event.</summary>
    [Fact]
    public async Task WatchAsync_TestDouble_HistoryCompacted_RelistsThenFollowsChanges()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Deployment(api, "shop", "shop", "web", status: """{"observedGeneration":1}""");
        var lists = 0;
        var collection = Deployments(client, () => Interlocked.Increment(ref lists));
        await collection.ListAsync(Ct);

        // Changes after the list, then history forgotten: the watch from the list's version is too old.
        api.SetStatus("deployments.apps", "shop", "web", Status("""{"observedGeneration":1,"replicas":1}"""));
        api.CompactWatchHistory();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var changes = 0;
        var watch = collection.WatchAsync((k8s.Kubernetes)client, "com.docker.stack.namespace=shop", () => 30, () => Interlocked.Increment(ref changes), stop.Token);
        await Poll.UntilAsync(() => Volatile.Read(ref lists) >= 2 && collection.Get("web")?.Status?.Replicas == 1, "the relist after the expired watch", Ct);

        api.SetStatus("deployments.apps", "shop", "web", Status("""{"observedGeneration":1,"replicas":2}"""));
        await Poll.UntilAsync(() => collection.Get("web")?.Status?.Replicas == 2, "the watched status change", Ct);

        Assert.True(collection.Watching);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
        Assert.Equal(2, lists);
        Assert.True(api.Requests.Count(r => r.Verb == "watch") >= 2);
        Assert.True(changes >= 2);
    }

    [Fact]
    public async Task WatchAsync_TestDouble_Forbidden_StopsWatchingSoTheWaiterPolls()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Deny("watch", "deployments.apps", "shop");
        var collection = Deployments(client);
        await collection.ListAsync(Ct);
        var changed = 0;

        await collection.WatchAsync((k8s.Kubernetes)client, "com.docker.stack.namespace=shop", () => 30, () => changed++, Ct);

        Assert.False(collection.Watching);
        Assert.Equal(1, changed);
    }
}
