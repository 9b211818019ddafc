using System.Globalization;
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
    private readonly HttpListener _listener;
    private readonly string _upstream;
    private readonly HttpClient _http = new();
    private readonly Task _serving;
    private readonly Dictionary<string, int> _requests = [];

    private DigestHidingProxy(HttpListener listener, int port, string upstream)
    {
        _listener = listener;
        _upstream = upstream;
        Host = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        _serving = Task.Run(ServeAsync);
    }

    public string Host { get; }

    public static DigestHidingProxy Start(string upstreamHost)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Loopback();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            try
            {
                listener.Start();
                return new DigestHidingProxy(listener, port, upstreamHost);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public int Requests(string method)
    {
        lock (_requests)
        {
            return _requests.GetValueOrDefault(method);
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await ForwardAsync(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException)
            {
                context.Response.Abort();
            }
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        var method = context.Request.HttpMethod;
        lock (_requests)
        {
            _requests[method] = _requests.GetValueOrDefault(method) + 1;
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri($"http://{_upstream}{context.Request.RawUrl}"));
        foreach (var name in new[] { "Accept", "Authorization" })
        {
            if (context.Request.Headers.GetValues(name) is { } values)
            {
                request.Headers.TryAddWithoutValidation(name, values);
            }
        }

        using var answer = await _http.SendAsync(request).ConfigureAwait(false);
        var body = await answer.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
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
            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        }

        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ConfigureAwait(false);
        _http.Dispose();
    }
}
