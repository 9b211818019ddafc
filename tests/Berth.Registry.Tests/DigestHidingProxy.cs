using System.Net;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A loopback HTTP proxy in front of a real registry that drops <c>Docker-Content-Digest</c> from every answer (as some
/// registries and caching proxies do), so the resolver must fall back to a GET and hash the manifest itself. Counts
/// the requests by method.
/// </summary>
public sealed class DigestHidingProxy : IAsyncDisposable
{
    private readonly string _upstream;
    private readonly HttpClient _http = new();
    private readonly LoopbackHttpServer _server;

    private DigestHidingProxy(string upstream)
    {
        _upstream = upstream;
        _server = LoopbackHttpServer.Start(ForwardAsync);
    }

    public string Host => _server.Host;

    public static DigestHidingProxy Start(string upstreamHost) => new(upstreamHost);

    public int Requests(string method) => _server.Requests(method);

    private async Task ForwardAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var method = context.Request.HttpMethod;
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"http://{_upstream}{context.Request.RawUrl}"));
        foreach (var name in new[] { "Accept", "Authorization" })
        {
            if (context.Request.Headers.GetValues(name) is { } values)
            {
                request.Headers.TryAddWithoutValidation(name, values);
            }
        }

        using var answer = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await answer.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers)
        {
            if (name != "Docker-Content-Digest")
            {
                response.Headers[name] = string.Join(", ", values);
            }
        }

        if (answer.Content.Headers.ContentType is { } type)
        {
            response.ContentType = type.ToString();
        }

        if (method != "HEAD")
        {
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
    }
}
