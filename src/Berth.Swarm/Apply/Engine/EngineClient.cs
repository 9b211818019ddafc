using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text.Json.Serialization.Metadata;
using Docker.DotNet;

namespace Berth.Swarm.Apply.Engine;

/// <summary>
/// Berth's own client for the Docker Engine API calls it makes, with Docker.DotNet's model types and its
/// <see cref="DockerApiException"/> for refusals. Owned (not Docker.DotNet's <c>DockerClient</c>) so every response is
/// read into memory and deserialised synchronously: Docker.DotNet reads with <c>ReadFromJsonAsync</c>, and that one
/// asynchronous path made Native AOT give all ~1,650 JSON types in the CLI their async machinery, about 11,000 static
/// bases allocated at every start (docs/design/startup.md, "What roots the statics").
/// </summary>
internal sealed class EngineClient : IDisposable
{
    private static readonly MediaTypeHeaderValue s_json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly string _base;

    public EngineClient(EngineEndpoint endpoint, EngineTlsCredentials? tls, Version? apiVersion)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Tls = tls;
        _http = new HttpClient(Handler(endpoint, tls), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        var root = endpoint.Host.Scheme == "unix"
            ? "http://localhost/"
            : $"{(tls is null ? "http" : "https")}://{endpoint.Host.Authority}/";
        _base = apiVersion is null ? root : $"{root}v{apiVersion}/";
        System = new(this);
        Swarm = new(this);
        Tasks = new(this);
        Networks = new(this);
        Secrets = new(this);
        Configs = new(this);
        Volumes = new(this);
        Images = new(this);
        Distribution = new(this);
    }

    public EngineEndpoint Endpoint { get; }

    public EngineTlsCredentials? Tls { get; }

    public EngineSystem System { get; }

    public EngineSwarm Swarm { get; }

    public EngineTasks Tasks { get; }

    public EngineNetworks Networks { get; }

    public EngineSecrets Secrets { get; }

    public EngineConfigs Configs { get; }

    public EngineVolumes Volumes { get; }

    public EngineImages Images { get; }

    public EngineDistribution Distribution { get; }

    /// <summary>
    /// How long one call may wait for its whole answer (not a log stream) before it fails as unreachable: 100 s, the
    /// bound Docker.DotNet's client had, so a hung engine ends the command instead of holding it forever.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    public void Dispose() => _http.Dispose();

    /// <summary>A call whose answer is JSON of <typeparamref name="T"/>.</summary>
    internal async Task<T> SendAsync<T>(HttpMethod method, string path, EngineQuery? query, HttpContent? body, JsonTypeInfo<T> answer, CancellationToken cancellationToken, string? registryAuth = null)
    {
        var bytes = await SendBoundedAsync(method, path, query, body, registryAuth, cancellationToken).ConfigureAwait(false);
        return EngineJson.Deserialize(bytes, answer);
    }

    /// <summary>A call whose answer body is not used.</summary>
    internal Task SendAsync(HttpMethod method, string path, EngineQuery? query, HttpContent? body, CancellationToken cancellationToken) =>
        SendBoundedAsync(method, path, query, body, null, cancellationToken);

    /// <summary>A call whose answer is streamed (logs); the caller disposes the stream.</summary>
    internal async Task<Stream> StreamAsync(string path, EngineQuery? query, CancellationToken cancellationToken)
    {
        var response = await SendCheckedAsync(HttpMethod.Get, path, query, null, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static ByteArrayContent Json(byte[] body) => new(body) { Headers = { ContentType = s_json } };

    /// <summary>The path segment for a name or ID, escaped (names come from Compose files).</summary>
    internal static string Segment(string nameOrId)
    {
        ArgumentException.ThrowIfNullOrEmpty(nameOrId);
        return Uri.EscapeDataString(nameOrId);
    }

    /// <summary>Sends one call and reads its whole answer within <see cref="RequestTimeout"/>.</summary>
    private async Task<byte[]> SendBoundedAsync(HttpMethod method, string path, EngineQuery? query, HttpContent? body, string? registryAuth, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(RequestTimeout);
        try
        {
            using var response = await SendCheckedAsync(method, path, query, body, registryAuth, HttpCompletionOption.ResponseContentRead, bounded.Token).ConfigureAwait(false);
            return await response.Content.ReadAsByteArrayAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer to {method} /{path} within {RequestTimeout.TotalSeconds:0.###} s");
        }
    }

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, string path, EngineQuery? query, HttpContent? body, string? registryAuth, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var text = query?.ToString() is { Length: > 0 } q ? $"{_base}{path}?{q}" : _base + path;
        using var request = new HttpRequestMessage(method, new Uri(text)) { Version = HttpVersion.Version11, Content = body };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("berth", null));
        if (registryAuth is not null)
        {
            request.Headers.Add("X-Registry-Auth", registryAuth);
        }

        var response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is < HttpStatusCode.OK or >= HttpStatusCode.BadRequest)
        {
            using (response)
            {
                var refusal = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new DockerApiException(response.StatusCode, refusal);
            }
        }

        return response;
    }

    private static SocketsHttpHandler Handler(EngineEndpoint endpoint, EngineTlsCredentials? tls)
    {
        // Pooled keep-alive connections. No cap on the socket: the deployer bounds its own concurrency (16 service
        // creates at a time), as it did over Docker.DotNet's unix handler (a connection per request); a tcp:// engine
        // gets at most 10, as Docker.DotNet's tcp handler allowed.
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        };
        if (endpoint.Host.Scheme != "unix")
        {
            handler.MaxConnectionsPerServer = 10;
        }
        else
        {
            // A socket file has no proxy; tcp:// endpoints honour HTTP(S)_PROXY as the docker CLI does.
            handler.UseProxy = false;
            var socketPath = endpoint.Host.AbsolutePath;
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        if (tls is not null)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [tls.Certificate],
                RemoteCertificateValidationCallback = tls.Validate,
            };
        }

        return handler;
    }
}
