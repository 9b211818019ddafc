using System.Net;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Security;

/// <summary>Reads from the cluster: a missing object is null, other failures throw HttpRequestException with the status.</summary>
internal sealed partial class ClusterClient
{
    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{client.BaseUri.AbsoluteUri.TrimEnd('/')}/{path.TrimStart('/')}"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode}", null, response.StatusCode);
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(text) as JsonObject ?? throw new HttpRequestException($"GET {path}: not a JSON object");
    }
}
