using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Handler.Abstractions;

namespace Berth.Swarm.Apply;

/// <summary>
/// Sends <c>CheckDuplicate: true</c> with every network create, as the docker CLI does for API versions before 1.44
/// (where the engine makes it the default): the engine then refuses a second network of a name instead of creating a
/// duplicate next to, say, a local network of that name. Docker.DotNet's models follow the current API and no longer
/// have the field, so it is added to the request body on the way out. Wraps the connection's own provider (TLS or none).
/// </summary>
internal sealed class NetworkCreateCheck(IAuthProvider inner) : IAuthProvider
{
    public bool TlsEnabled => inner.TlsEnabled;

    public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler) => new Handler(inner.ConfigureHandler(handler));

    /// <summary>The request body with <c>CheckDuplicate: true</c>; anything that is not a JSON object is returned as it was.</summary>
    internal static byte[] WithCheckDuplicate(byte[] body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject create)
            {
                create["CheckDuplicate"] = true;
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    create.WriteTo(writer);
                }

                return buffer.ToArray();
            }
        }
        catch (JsonException)
        {
            // Not JSON: not ours to change; the engine answers it as it is.
        }

        return body;
    }

    private sealed class Handler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.Content is { } content
                && request.RequestUri?.AbsolutePath.EndsWith("/networks/create", StringComparison.Ordinal) == true)
            {
                var body = WithCheckDuplicate(await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
                var replaced = new ByteArrayContent(body);
                replaced.Headers.ContentType = content.Headers.ContentType ?? new MediaTypeHeaderValue("application/json");
                request.Content = replaced;
                content.Dispose();
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
