using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Berth.Kubernetes.Access;

/// <summary>
/// Sends every request by hand over HTTP/1.1 (one connection per request, closed with its answer) so that each
/// impersonated group and extra value is its own header line. kube-apiserver reads each Impersonate-Group /
/// Impersonate-Extra-* line as one value (AS/pkg/endpoints/filters/impersonation.go, req.Header[...] is the list of
/// lines); HttpClient folds repeated values into one comma-joined line, which would make groups "a" and "b" the
/// single group "a, b". Any method and body; the answer's body streams (watches, log follows) until the server ends
/// it or the caller disposes it. The handler answers itself and never calls its inner handler, so it does TLS as
/// the kubeconfig says: the cluster's certificate-authority as the only trusted root (<see cref="CustomRoots"/>),
/// the client certificate and key, tls-server-name, insecure-skip-tls-verify. The Authorization header the client's
/// credentials put on the request is sent as it is.
/// </summary>
public sealed class ImpersonatingHandler : DelegatingHandler
{
    /// <summary>A per-request identity (berth-apiserver's requesting user); without it, the handler's own.</summary>
    public static readonly HttpRequestOptionsKey<Impersonation> Identity = new("berth.impersonation");

    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly KubernetesClientConfiguration _config;
    private readonly Impersonation? _identity;
    private readonly X509Certificate2Collection _clientCertificates = [];

    /// <param name="config">The cluster and TLS settings (the credentials stay with the client).</param>
    /// <param name="identity">Whom every request is made as unless it carries <see cref="Identity"/>; null: only those that do impersonate.</param>
    public ImpersonatingHandler(KubernetesClientConfiguration config, Impersonation? identity)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _identity = identity;
        if (ClientCertificate(config) is { } certificate)
        {
            _clientCertificates.Add(certificate);
        }
    }

    // The kubeconfig's client-certificate(-data) and client-key(-data), PEM (base64 inline, or files).
    private static X509Certificate2? ClientCertificate(KubernetesClientConfiguration config)
    {
        static string? Pem(string? data, string? file)
            => data is not null ? Encoding.UTF8.GetString(System.Convert.FromBase64String(data)) : file is not null ? File.ReadAllText(file) : null;

        var certificate = Pem(config.ClientCertificateData, config.ClientCertificateFilePath);
        var key = Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath);
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        => SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("the request has no URI");
        var identity = request.Options.TryGetValue(Identity, out var asked) ? asked : _identity;
        // Before any connection: an identity that cannot be written as header lines is refused here.
        var impersonation = identity?.HeaderLines() ?? [];
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var head = Head(request, uri, impersonation, body);

        var tcp = new TcpClient { NoDelay = true };
        Stream? stream = null;
        var closeOnCancel = cancellationToken.Register(tcp.Dispose);
        try
        {
            using var headDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headDeadline.CancelAfter(HeadTimeout);
            await tcp.ConnectAsync(uri.Host, uri.Port, headDeadline.Token).ConfigureAwait(false);
            stream = tcp.GetStream();
            if (uri.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _config.TlsServerName ?? uri.Host,
                    ClientCertificates = _clientCertificates,
                    RemoteCertificateValidationCallback = ValidateServer,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, headDeadline.Token).ConfigureAwait(false);
            }

            await stream.WriteAsync(head, headDeadline.Token).ConfigureAwait(false);
            if (body is not null)
            {
                await stream.WriteAsync(body, headDeadline.Token).ConfigureAwait(false);
            }

            await stream.FlushAsync(headDeadline.Token).ConfigureAwait(false);
            var answer = await Http1Framing.ReadHeadAsync(stream, headDeadline.Token).ConfigureAwait(false);
            return Response(request, answer, new ConnectionBody(answer.Body, [stream, closeOnCancel, tcp]));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or AuthenticationException)
        {
            await closeOnCancel.DisposeAsync().ConfigureAwait(false);
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            tcp.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException($"{request.Method} {uri.AbsolutePath}{(identity is null ? string.Empty : " as " + identity.User)}: {e.Message}", e);
        }
    }

    // The request head: the client's headers (values of one header joined as HttpClient would), the body's length,
    // then one line per impersonated value. Impersonate-* the client set itself are dropped, so only this identity goes.
    private static byte[] Head(HttpRequestMessage request, Uri uri, IReadOnlyList<(string Name, string Value)> impersonation, byte[]? body)
    {
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{request.Method.Method} {uri.PathAndQuery} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {uri.Authority}\r\n");
        var headers = request.Headers.AsEnumerable();
        if (request.Content is not null)
        {
            headers = headers.Concat(request.Content.Headers);
        }

        foreach (var (name, values) in headers)
        {
            if (name.StartsWith("Impersonate-", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = string.Join(", ", values);
            if (value.Any(c => char.IsControl(c) && c != '\t'))
            {
                throw new HttpRequestException($"the header {name} holds a control character");
            }

            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (body is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        }

        foreach (var (name, value) in impersonation)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        return Encoding.UTF8.GetBytes(head.Append("Connection: close\r\n\r\n").ToString());
    }

    private static HttpResponseMessage Response(HttpRequestMessage request, Http1Head answer, Stream body)
    {
        var response = new HttpResponseMessage((HttpStatusCode)answer.Status)
        {
            RequestMessage = request,
            ReasonPhrase = answer.Reason,
            Version = HttpVersion.Version11,
            Content = new StreamContent(body),
        };
        foreach (var (name, value) in answer.Headers)
        {
            // Framing headers describe the connection's bytes, not the body stream handed on.
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_config.SkipTlsVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }

        // The kubeconfig's certificate-authority is the only root trusted for the cluster.
        return _config.SslCaCerts is { Count: > 0 } roots && CustomRoots.IsTrustedServer(certificate, errors, roots);
    }

    /// <summary>The answer's body; disposing it closes the connection.</summary>
    private sealed class ConnectionBody(Stream body, IDisposable[] owned) : Http1Framing.ReadOnlyBody
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => body.ReadAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var item in owned)
                {
                    item.Dispose();
                }
            }

            base.Dispose(disposing);
        }
    }
}
