using System.Globalization;
using System.Net;

namespace Berth.Testing;

/// <summary>
/// A small HTTP server on a free 127.0.0.1 port that answers every request with a handler the test gives (a token
/// server, a proxy, a stand-in for one API response). Requests are answered one at a time, in order, and counted by
/// method; the response is closed after the handler returns. Disposing stops accepting and waits for the loop to end.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Func<HttpListenerContext, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly Task _serving;

    private LoopbackHttpServer(HttpListener listener, int port, Func<HttpListenerContext, CancellationToken, Task> handler)
    {
        _listener = listener;
        _handler = handler;
        Port = port;
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>127.0.0.1:port, as image references and kubeconfig hosts name it.</summary>
    public string Host => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>http://127.0.0.1:port (no trailing slash).</summary>
    public string BaseUrl => "http://" + Host;

    /// <summary>Starts listening; <paramref name="handler"/> answers each request (its token is cancelled on dispose).</summary>
    public static LoopbackHttpServer Start(Func<HttpListenerContext, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Loopback();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
            try
            {
                listener.Start();
                return new LoopbackHttpServer(listener, port, handler);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Taken between the probe and the bind: another port.
                listener.Close();
            }
        }
    }

    /// <summary>How many requests with <paramref name="method"/> (GET, HEAD, ...) arrived so far.</summary>
    public int Requests(string method)
    {
        lock (_requests)
        {
            return _requests.GetValueOrDefault(method);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);

        // Close alone: Stop then Close removes the prefixes twice, and the managed HttpListener re-binds the port to
        // remove them again ("Address already in use" once another test holds it).
        _listener.Close();
        await _serving.ConfigureAwait(false);
        _stopping.Dispose();
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

            lock (_requests)
            {
                var method = context.Request.HttpMethod;
                _requests[method] = _requests.GetValueOrDefault(method) + 1;
            }

            try
            {
                await _handler(context, _stopping.Token).ConfigureAwait(false);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or HttpRequestException or OperationCanceledException)
            {
                // The client went away, the handler's own upstream failed, or the server is stopping: drop the connection.
                context.Response.Abort();
            }
        }
    }
}
