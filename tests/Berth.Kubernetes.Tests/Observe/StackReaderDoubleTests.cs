using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Observe;
using static Berth.Kubernetes.Tests.Observe.StackSeeds;

namespace Berth.Kubernetes.Tests.Observe;

/// <summary>StackReader against objects seeded into the Kubernetes API test double (an in-process stand-in for the API server, not a cluster).</summary>
public sealed class StackReaderDoubleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Namespace shop: a Berth stack "shop" (web: Deployment + ClusterIP + LoadBalancer with an address; db: StatefulSet +
    /// NodePort; agent: DaemonSet; migrate: Job). Namespace legacy: stack "words" made by compose-on-kubernetes (only the
    /// com.docker.* labels; headless Service with its placeholder port, pending LoadBalancer, random NodePort).
    /// Namespace edge: a stack with only Services. Unlabelled objects everywhere, which are nobody's stack.
    /// </summary>
    private static async Task<KubernetesApiDouble> SeededAsync()
    {
        var api = await KubernetesApiDouble.StartAsync(Ct);
        Deployment(api, "shop", "shop", "web", replicas: 3, image: "nginx:1.27", status: """{"observedGeneration":1,"replicas":3,"readyReplicas":2,"availableReplicas":2}""");
        Service(api, "shop", "shop", "web", "web", """{"type":"ClusterIP","selector":{"com.docker.service.id":"shop-web"},"ports":[{"name":"80-tcp","port":80,"targetPort":80,"protocol":"TCP"}]}""");
        Service(api, "shop", "shop", "web", "web-published",
            """{"type":"LoadBalancer","selector":{"com.docker.service.id":"shop-web"},"ports":[{"name":"8080-tcp","port":8080,"targetPort":80,"protocol":"TCP"},{"name":"8443-tcp","port":8443,"targetPort":443,"protocol":"TCP"}]}""",
            status: """{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"}]}}""");
        StatefulSet(api, "shop", "shop", "db", replicas: 1, status: """{"observedGeneration":1,"replicas":1,"readyReplicas":1}""");
        Service(api, "shop", "shop", "db", "db-published", """{"type":"NodePort","selector":{"com.docker.service.id":"shop-db"},"ports":[{"port":5432,"targetPort":5432,"nodePort":30432,"protocol":"TCP"}]}""");
        DaemonSet(api, "shop", "shop", "agent", status: """{"observedGeneration":1,"desiredNumberScheduled":1,"numberReady":0}""");
        Job(api, "shop", "shop", "migrate", status: """{"succeeded":1}""");
        api.Seed("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"stray","namespace":"shop"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"x","image":"x"}]}}}}""");

        Deployment(api, "legacy", "words", "words", replicas: 1, image: "dockersamples/k8s-wordsmith-web", berth: false);
        Deployment(api, "legacy", "words", "api", replicas: 2, image: "dockersamples/k8s-wordsmith-api", berth: false);
        Service(api, "legacy", "words", "words", "words", """{"clusterIP":"None","selector":{"com.docker.service.id":"words-words"},"ports":[{"name":"headless","port":55555,"targetPort":55555}]}""", berth: false);
        Service(api, "legacy", "words", "words", "words-published", """{"type":"LoadBalancer","selector":{"com.docker.service.id":"words-words"},"ports":[{"name":"33000-tcp","port":33000,"targetPort":80,"protocol":"TCP"}]}""", berth: false);
        Service(api, "legacy", "words", "api", "api-random-ports", """{"type":"NodePort","selector":{"com.docker.service.id":"words-api"},"ports":[{"name":"8080-tcp","port":8080,"targetPort":8080,"nodePort":31234,"protocol":"TCP"}]}""", berth: false);

        Service(api, "edge", "dns", "resolver", "resolver", """{"type":"ClusterIP","ports":[{"port":53,"targetPort":53,"protocol":"UDP"}]}""");
        return api;
    }

    [Fact]
    public async Task ListStacksAsync_AllNamespaces_FindsBerthComposeOnKubernetesAndServiceOnlyStacks()
    {
        await using var api = await SeededAsync();
        using var client = api.CreateClient();

        var stacks = await StackReader.ListStacksAsync(client, null, Ct);

        Assert.Equal([new StackSummary("dns", "edge", 1), new StackSummary("words", "legacy", 2), new StackSummary("shop", "shop", 4)], stacks);
        Assert.All(api.Requests.Where(r => r.Verb == "list"), r => Assert.Null(r.Namespace));
        Assert.Equal(5, api.Requests.Count(r => r.Verb == "list"));
    }

    [Fact]
    public async Task ListStacksAsync_OneNamespace_ListsOnlyThere()
    {
        await using var api = await SeededAsync();
        using var client = api.CreateClient();

        var stacks = await StackReader.ListStacksAsync(client, "legacy", Ct);

        Assert.Equal([new StackSummary("words", "legacy", 2)], stacks);
        Assert.All(api.Requests.Where(r => r.Verb == "list"), r => Assert.Equal("legacy", r.Namespace));
    }

    [Fact]
    public async Task ListServicesAsync_BerthStack_RowsWithModesCountsImagesAndPortText()
    {
        await using var api = await SeededAsync();
        using var client = api.CreateClient();

        var rows = await StackReader.ListServicesAsync(client, "shop", "shop", Ct);

        Assert.Equal(
            [
                "agent DaemonSet global 0/1 fluent-bit:3 ",
                "db StatefulSet replicated 1/1 postgres:17 *:30432->5432/TCP",
                "migrate Job job 0/0 (1/1) migrate:1 ",
                "web Deployment replicated 2/3 nginx:1.27 203.0.113.7:8080->80/TCP, 203.0.113.7:8443->443/TCP",
            ],
            rows.Select(r => $"{r.Name} {r.Kind} {r.Mode} {r.Ready}/{r.Desired}{(r.Completions is { } c ? $" ({c.Succeeded}/{c.Completions})" : "")} {r.Image} {r.Ports}"));
        var uid = api.Get("deployments.apps", "shop", "web")!["metadata"]!["uid"]!.ToString();
        Assert.Equal(uid[..12], rows.Single(r => r.Name == "web").Id);
    }

    [Fact]
    public async Task ListServicesAsync_ComposeOnKubernetesStack_PendingLoadBalancerRandomNodePortNoPlaceholder()
    {
        await using var api = await SeededAsync();
        using var client = api.CreateClient();

        var rows = await StackReader.ListServicesAsync(client, "legacy", "words", Ct);

        Assert.Equal(
            ["api *:31234->8080/TCP", "words <pending>:33000->80/TCP"],
            rows.Select(r => $"{r.Name} {r.Ports}"));
    }

    [Fact]
    public async Task ListPodsAsync_RowsWithNodeStatusRestartsAndReasons_SortedByServiceThenName()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        Pod(api, "shop", "shop", "web", "web-b", KubeObjects.CrashLoop);
        Pod(api, "shop", "shop", "web", "web-a", KubeObjects.RunningReady);
        Pod(api, "shop", "shop", "db", "db-0", KubeObjects.Unschedulable, node: "");
        Pod(api, "shop", "shop", "api", "api-1", KubeObjects.OomKilled);
        Pod(api, "shop", "shop", "img", "img-1", KubeObjects.ImagePullBackOff, image: "nginx:nope");
        Pod(api, "shop", "other", "web", "not-this-stack", KubeObjects.RunningReady);

        var rows = await StackReader.ListPodsAsync(client, "shop", "shop", Ct);

        Assert.Equal(
            [
                "api-1|api|node-1|CrashLoopBackOff|2|OOMKilled: container web exceeded its memory limit (restarts: 2)",
                "db-0|db||Pending|0|Unschedulable: 0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
                "img-1|img|node-1|ImagePullBackOff|0|ImagePullBackOff: Back-off pulling image \"nginx:nope\"",
                "web-a|web|node-1|Running|1|",
                "web-b|web|node-1|CrashLoopBackOff|4|CrashLoopBackOff: back-off 1m20s restarting failed container=web pod=web-1_default(abc) (last exit code 1, Error)",
            ],
            rows.Select(r => $"{r.Name}|{r.Service}|{r.Node}|{r.Status}|{r.Restarts}|{r.Reason}"));
        Assert.Equal("nginx:nope", rows.Single(r => r.Name == "img-1").Image);
        Assert.All(rows, r => Assert.Equal(12, r.Id.Length));
    }
}
