using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Berth.Kubernetes.Observe;

/// <summary>One event of a watch: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and its object as JSON text.</summary>
internal sealed record WatchEvent(string Type, string ObjectJson);

/// <summary>The watch's resourceVersion is too old (HTTP 410 Gone, or an ERROR event with code 410): list again.</summary>
internal sealed class WatchExpiredException(string message) : Exception(message);

/// <summary>
/// A raw watch (<c>GET …?watch=true&amp;resourceVersion=N</c>) read as newline-delimited JSON events. KubernetesClient.Aot
/// has no Watcher, so the request goes through the client's own HttpClient (its TLS settings) after its credentials
/// have signed it, as the generated operations do.
/// </summary>
internal static class WatchStream
{
    /// <param name="client">The client whose HttpClient, base URI and credentials are used.</param>
    /// <param name="path">Collection path below the API root, e.g. <c>apis/apps/v1/namespaces/ns/deployments</c>.</param>
    /// <param name="labelSelector">Label selector of the objects to watch.</param>
    /// <param name="resourceVersion">Where to start: the list's resourceVersion or the last event's.</param>
    /// <param name="timeoutSeconds">The server ends the watch after this; the caller watches again from where it was.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    public static async IAsyncEnumerable<WatchEvent> ReadAsync(k8s.Kubernetes client, string path, string labelSelector, string? resourceVersion, int timeoutSeconds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var query = string.Create(CultureInfo.InvariantCulture, $"watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}&labelSelector={Uri.EscapeDataString(labelSelector)}")
            + (string.IsNullOrEmpty(resourceVersion) ? string.Empty : $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{client.BaseUri.AbsoluteUri.TrimEnd('/')}/{path}?{query}"));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            throw new WatchExpiredException($"watch of {path}: resource version {resourceVersion} is too old");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"watch of {path} failed: {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line))
                {
                    yield return Parse(line);
                }
            }
        }
    }

    /// <summary>Splits <c>{"type":…,"object":{…}}</c>; the object is deserialized by the caller into its typed model.</summary>
    public static WatchEvent Parse(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() ?? string.Empty : string.Empty;
        var json = root.TryGetProperty("object", out var o) ? o.GetRawText() : "{}";
        return new WatchEvent(type, json);
    }
}
