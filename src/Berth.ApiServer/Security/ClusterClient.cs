using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace Berth.ApiServer.Security;

/// <summary>
/// The cluster berth-apiserver delegates to (--kubeconfig, or the in-cluster service account): POSTs
/// TokenReviews and SubjectAccessReviews as raw JSON through KubernetesClient's HttpClient and credentials.
/// </summary>
internal sealed partial class ClusterClient(k8s.Kubernetes client, string source) : IDisposable
{
    public string Source { get; } = source;

    public static ClusterClient? Create(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return new ClusterClient(new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)), kubeconfig);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? new ClusterClient(new k8s.Kubernetes(KubernetesClientConfiguration.InClusterConfig()), "in-cluster service account")
            : null;
    }

    public async Task<JsonObject> PostAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"{client.BaseUri.AbsoluteUri.TrimEnd('/')}/{path.TrimStart('/')}"))
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"POST {path}: {(int)response.StatusCode}", null, response.StatusCode);
        }

        return JsonNode.Parse(text) as JsonObject ?? throw new HttpRequestException($"POST {path}: not a JSON object");
    }

    public void Dispose() => client.Dispose();
}
