using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Controller.Reconcile;

/// <summary>An answer of the cluster: the status code and the body as JSON (null when it was not JSON).</summary>
internal sealed record ClusterAnswer(HttpStatusCode Status, JsonObject? Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>The Status message the cluster answered with (a refusal's own words), else the code.</summary>
    public string Message => Body?["message"]?.ToString() is { Length: > 0 } message ? message : $"the cluster answered {(int)Status}";

    public string Reason => Body?["reason"]?.ToString() is { Length: > 0 } reason ? reason : Status.ToString();
}

/// <summary>
/// JSON requests to paths the generated client has no operation for (the compose.docker.com Stack API), through the
/// client's own HttpClient (its TLS, and its handlers: impersonation when the client impersonates), signed by its
/// credentials as the generated operations are.
/// </summary>
internal static class ClusterJson
{
    public static async Task<ClusterAnswer> SendAsync(k8s.Kubernetes client, HttpMethod method, string path, JsonNode? body, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri($"{client.BaseUri.AbsoluteUri.TrimEnd('/')}/{path}"));
        request.Headers.Accept.ParseAdd("application/json");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonObject? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return new ClusterAnswer(response.StatusCode, json);
    }
}
