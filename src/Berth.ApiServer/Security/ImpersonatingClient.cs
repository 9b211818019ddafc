using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Berth.StackApi;
using k8s;

namespace Berth.ApiServer.Security;

/// <summary>
/// GETs from the cluster berth-apiserver delegates to (--kubeconfig, or the in-cluster service account), with its
/// credentials, as the requesting user: Impersonate-User, Impersonate-Uid, one Impersonate-Group line per group and
/// one Impersonate-Extra-&lt;%-escaped key&gt; line per value, as client-go's impersonating round tripper sends them
/// (CG/transport/round_trippers.go). kube-apiserver reads each header line as one value
/// (AS/pkg/endpoints/filters/impersonation.go), and HttpClient would fold repeated headers into one comma-joined line
/// (one group "a, b"), so the request is written by hand: HTTP/1.1, one connection per request, closed after it.
/// </summary>
internal sealed class ImpersonatingClient : IDisposable
{
    private static readonly TimeSpan HeadTimeout = TimeSpan.FromSeconds(30);

    private readonly KubernetesClientConfiguration _config;
    private readonly k8s.Kubernetes _credentials;
    private readonly Uri _base;
    private readonly X509Certificate2Collection _clientCertificates = [];

    private ImpersonatingClient(KubernetesClientConfiguration config)
    {
        _config = config;
        _credentials = new k8s.Kubernetes(config);
        _base = new Uri(config.Host.EndsWith('/') ? config.Host : config.Host + "/");
        if (ClientCertificate(config) is { } certificate)
        {
            _clientCertificates.Add(certificate);
        }
    }

    // The kubeconfig's client-certificate(-data) and client-key(-data), PEM (base64 inline, or files).
    private static X509Certificate2? ClientCertificate(KubernetesClientConfiguration config)
    {
        static string? Pem(string? data, string? file)
            => data is not null ? Encoding.UTF8.GetString(Convert.FromBase64String(data)) : file is not null ? File.ReadAllText(file) : null;

        var certificate = Pem(config.ClientCertificateData, config.ClientCertificateFilePath);
        var key = Pem(config.ClientCertificateKeyData, config.ClientKeyFilePath);
        return certificate is null || key is null ? null : X509Certificate2.CreateFromPem(certificate, key);
    }

    /// <summary>The client for the cluster of <paramref name="kubeconfig"/>, else in-cluster; null when standalone.</summary>
    public static ImpersonatingClient? Create(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return new ImpersonatingClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        }

        return KubernetesClientConfiguration.IsInCluster() ? new ImpersonatingClient(KubernetesClientConfiguration.InClusterConfig()) : null;
    }

    /// <summary>
    /// GET <paramref name="pathAndQuery"/> (relative to the cluster's URL) as <paramref name="user"/>. The answer's
    /// body streams until the server ends it or <paramref name="cancellationToken"/> is cancelled (which closes the
    /// connection): long-running reads (follow, watch) stay open as long as the caller reads.
    /// </summary>
    public async Task<ClusterResponse> GetAsync(UserInfo user, string pathAndQuery, CancellationToken cancellationToken)
    {
        var head = ImpersonationHeaders(user);
        var uri = new Uri(_base, pathAndQuery);
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

            var request = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"GET {uri.PathAndQuery} HTTP/1.1\r\n")
                .Append(CultureInfo.InvariantCulture, $"Host: {uri.Authority}\r\n")
                .Append("Accept: application/json, */*\r\nUser-Agent: berth-apiserver\r\nConnection: close\r\n");
            if (await AuthorizationAsync(uri, headDeadline.Token).ConfigureAwait(false) is { } authorization)
            {
                request.Append(CultureInfo.InvariantCulture, $"Authorization: {authorization}\r\n");
            }

            foreach (var (name, value) in head)
            {
                request.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.Append("\r\n").ToString()), headDeadline.Token).ConfigureAwait(false);
            await stream.FlushAsync(headDeadline.Token).ConfigureAwait(false);
            return await ClusterResponse.ReadAsync(stream, [closeOnCancel, tcp], headDeadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            await closeOnCancel.DisposeAsync().ConfigureAwait(false);
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            tcp.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            throw new HttpRequestException($"GET {uri.AbsolutePath} as the requesting user: {e.Message}", e);
        }
    }

    /// <summary>
    /// The impersonation header lines for <paramref name="user"/>. A value with a line break or other control
    /// character could smuggle header lines (another group, say): such a user is refused, never sent.
    /// </summary>
    internal static IReadOnlyList<(string Name, string Value)> ImpersonationHeaders(UserInfo user)
    {
        var headers = new List<(string, string)> { ("Impersonate-User", user.Name) };
        if (!string.IsNullOrEmpty(user.Uid))
        {
            headers.Add(("Impersonate-Uid", user.Uid));
        }

        headers.AddRange(user.Groups.Select(g => ("Impersonate-Group", g)));
        foreach (var (key, values) in user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            // round_trippers.go headerKeyEscape: the key %-escaped so any key is a valid header name.
            headers.AddRange(values.Select(v => ("Impersonate-Extra-" + Uri.EscapeDataString(key), v)));
        }

        if (user.Name.Length == 0 || headers.Any(h => h.Item2.Any(c => char.IsControl(c) && c != '\t')))
        {
            throw new HttpRequestException("the requesting user cannot be impersonated: a name, group or extra value holds a control character");
        }

        return headers;
    }

    private async Task<string?> AuthorizationAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (_credentials.Credentials is null)
        {
            return null;
        }

        // The credentials' own logic (token, token file, exec plugin, basic auth) fills the header.
        using var probe = new HttpRequestMessage(HttpMethod.Get, uri);
        await _credentials.Credentials.ProcessHttpRequestAsync(probe, cancellationToken).ConfigureAwait(false);
        return probe.Headers.Authorization?.ToString();
    }

    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (_config.SkipTlsVerify)
        {
            return true;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        // The kubeconfig's certificate-authority is the only root trusted for the cluster.
        return _config.SslCaCerts is { Count: > 0 } roots && CustomRoots.IsTrustedServer(certificate, errors, roots);
    }

    public void Dispose() => _credentials.Dispose();
}
