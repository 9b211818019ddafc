using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Watches against the Kubernetes API test double, sent the way Berth sends them (KubernetesClient has no
/// Watcher in its AOT build): a raw GET with watch=true through the client's HttpClient and credentials.
/// </summary>
public sealed class ApiDoubleWatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class WatchStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public async Task<JsonObject?> NextAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var line = await reader.ReadLineAsync(timeout.Token);
            return line is null ? null : Json(line);
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    private static async Task<WatchStream> WatchAsync(IKubernetes client, string relative)
    {
        var kubernetes = (k8s.Kubernetes)client;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kubernetes.BaseUri, relative));
        await kubernetes.Credentials.ProcessHttpRequestAsync(request, Ct);
        var response = await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        var stream = await response.Content.ReadAsStreamAsync(Ct);
        return new WatchStream(response, new StreamReader(stream));
    }

    private static string Summary(JsonObject? change) =>
        change is null ? "end" : $"{change["type"]} {change["object"]!["metadata"]?["name"]}";

    [Fact]
    public async Task Watch_from_a_resourceVersion_replays_later_changes_then_streams_live_ones()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("before"));
        var from = (await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct)).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(ConfigMap("a")), "default", cancellationToken: Ct);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"2"}}""", V1Patch.PatchType.MergePatch), "a", "default", cancellationToken: Ct);

        using var watch = await WatchAsync(client, $"api/v1/namespaces/default/configmaps?watch=true&resourceVersion={from}");
        var added = await watch.NextAsync();
        var modified = await watch.NextAsync();
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        var deleted = await watch.NextAsync();

        Assert.Equal(["ADDED a", "MODIFIED a", "DELETED a"], new[] { added, modified, deleted }.Select(Summary));
        Assert.Equal("2", modified!["object"]!["data"]!["k"]!.ToString());
        Assert.True(long.Parse(deleted!["object"]!["metadata"]!["resourceVersion"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(modified["object"]!["metadata"]!["resourceVersion"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"resourceVersion={from}", Assert.Single(api.Requests, r => r.Verb == "watch").Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_ADDED_for_matching_objects_only()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("mine", labels: """{"app":"x"}"""));
        api.Seed(ConfigMap("other", labels: """{"app":"y"}"""));

        using var watch = await WatchAsync(client, "api/v1/configmaps?watch=1&labelSelector=app%3Dx");
        var initial = await watch.NextAsync();
        api.Seed(ConfigMap("other", labels: """{"app":"y"}""", data: """{"k":"changed"}"""));
        api.Seed(ConfigMap("mine", labels: """{"app":"x"}""", data: """{"k":"changed"}"""));
        var next = await watch.NextAsync();

        Assert.Equal("ADDED mine", Summary(initial));
        Assert.Equal("MODIFIED mine", Summary(next));
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_gets_an_ERROR_event_with_410_Expired()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var old = api.Seed(ConfigMap("a"))["metadata"]!["resourceVersion"]!.ToString();
        api.Seed(ConfigMap("b"));
        api.CompactWatchHistory();

        using var watch = await WatchAsync(client, $"api/v1/namespaces/default/configmaps?watch=true&resourceVersion={old}");
        var error = await watch.NextAsync();
        var end = await watch.NextAsync();

        Assert.Equal("ERROR", error!["type"]!.ToString());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.ToString());
        Assert.StartsWith($"too old resource version: {old} (", error["object"]!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Null(end);
    }

    [Fact]
    public async Task Watch_ends_after_timeoutSeconds()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var from = api.ResourceVersion;

        using var watch = await WatchAsync(client, $"apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion={from}&timeoutSeconds=1");
        var end = await watch.NextAsync();

        Assert.Null(end);
    }

    [Fact]
    public async Task Unchanged_apply_produces_no_watch_event()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var patch = new V1Patch(Deployment("web"), V1Patch.PatchType.ApplyPatch);
        await client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", "default", fieldManager: "berth", cancellationToken: Ct);
        var from = api.ResourceVersion;

        using var watch = await WatchAsync(client, $"apis/apps/v1/namespaces/default/deployments?watch=true&resourceVersion={from}");
        await client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", "default", fieldManager: "berth", cancellationToken: Ct);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(Deployment("web", replicas: 2), V1Patch.PatchType.ApplyPatch), "web", "default",
            fieldManager: "berth", cancellationToken: Ct);
        var first = await watch.NextAsync();

        Assert.Equal(2, first!["object"]!["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Relabelling_into_or_out_of_a_watched_selection_is_ADDED_or_DELETED()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        api.Seed(ConfigMap("a", labels: """{"app":"x"}"""));
        api.Seed(ConfigMap("b", labels: """{"app":"y"}"""));
        var from = api.ResourceVersion;

        using var watch = await WatchAsync(client, $"api/v1/namespaces/default/configmaps?watch=true&resourceVersion={from}&labelSelector=app%3Dx");
        api.Seed(ConfigMap("a", labels: """{"app":"y"}"""));
        api.Seed(ConfigMap("b", labels: """{"app":"x"}"""));
        var first = await watch.NextAsync();
        var second = await watch.NextAsync();

        Assert.Equal(["DELETED a", "ADDED b"], new[] { first, second }.Select(Summary));
    }
}
