using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Berth.Testing;

namespace Berth.Swarm.Tests.Support;

/// <summary>
/// A stand-in Engine API on loopback (HttpListener): answers each request with what <c>answer</c> returns for its
/// method and path, and records every request with its body. For what the real engine cannot be made to do here
/// (leave Swarm mode) or to see exactly what Berth sends.
/// </summary>
internal sealed class FakeEngine : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    private FakeEngine(HttpListener listener, Uri address, Func<string, string, (HttpStatusCode Status, string Json)> answer)
    {
        _listener = listener;
        Host = $"tcp://{address.Authority}";
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync().ConfigureAwait(false);
                var path = context.Request.Url!.AbsolutePath;
                Requests.Enqueue((context.Request.HttpMethod, path, body));
                var (status, json) = answer(context.Request.HttpMethod, path);
                context.Response.StatusCode = (int)status;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(json);
                await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
                context.Response.Close();
            }
        });
    }

    /// <summary>The DOCKER_HOST value that reaches this engine.</summary>
    public string Host { get; }

    public ConcurrentQueue<(string Method, string Path, string Body)> Requests { get; } = new();

    /// <summary>
    /// An engine that is not in Swarm mode, as dockerd answers then: /_ping, /version and /info work (Swarm inactive),
    /// every Swarm endpoint is 503 "This node is not a swarm manager", and /networks lists no network.
    /// </summary>
    public static FakeEngine NotASwarmManager() => Start((_, path) => Unversioned(path) switch
    {
        "/_ping" => (HttpStatusCode.OK, "OK"),
        "/version" => (HttpStatusCode.OK, """{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"""),
        "/info" => (HttpStatusCode.OK, """{"ID":"fake","Name":"fake","ServerVersion":"20.10.24","SystemTime":"2026-01-01T00:00:00Z","Swarm":{"NodeID":"","LocalNodeState":"inactive","ControlAvailable":false}}"""),
        "/networks" => (HttpStatusCode.OK, "[]"),
        _ => (HttpStatusCode.ServiceUnavailable, """{"message":"This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."}"""),
    });

    public static FakeEngine Start(Func<string, string, (HttpStatusCode Status, string Json)> answer)
    {
        for (var attempt = 0; ; attempt++)
        {
            // The kernel picks a free port; the retry covers another process taking it before the listener binds.
            var port = FreePort.Loopback();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeEngine(listener, new Uri($"http://127.0.0.1:{port}"), answer);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
    }

    /// <summary>The path without an API version prefix (<c>/v1.41/info</c> → <c>/info</c>).</summary>
    public static string Unversioned(string path)
        => path.StartsWith("/v1.", StringComparison.Ordinal) && path.IndexOf('/', 1) is var slash and > 0 ? path[slash..] : path;

    public async ValueTask DisposeAsync()
    {
        // Close alone: Stop then Close removes the prefixes twice, and the managed HttpListener re-binds the port to
        // remove them again (\"Address already in use\" once another test holds it).
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
