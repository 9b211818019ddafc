using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Berth.Registry;

/// <summary>
/// Looks up the manifest digest a tag points at, over the OCI distribution API: <c>HEAD /v2/&lt;name&gt;/manifests/&lt;tag&gt;</c>
/// and its <c>Docker-Content-Digest</c> header (a GET and the sha256 of the body when the header is missing), with
/// anonymous, Basic and Bearer-token auth. Failures are results with a message for users, never exceptions; only the
/// caller's own cancellation throws (<see cref="OperationCanceledException"/>). Loopback registries are reached over
/// HTTP, as docker treats them as insecure; every other registry over HTTPS.
/// </summary>
public sealed class DigestResolver : IDisposable
{
    /// <summary>The manifest kinds asked for: an index (multi-platform) or a single manifest, OCI or Docker's.</summary>
    internal static readonly string[] ManifestMediaTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    // Manifests are small; a body larger than this is not one.
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _authenticator;
    private readonly TimeSpan _timeout;

    public DigestResolver(DigestResolverOptions? options = null)
    {
        options ??= new DigestResolverOptions();
        _timeout = options.Timeout;
        Credentials = new DockerCredentialStore(options);

        // The resolver's own deadline covers each resolution whole; the client's would only cover single requests.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.Timeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("berth", "1"));
        _authenticator = new RegistryAuthenticator(_http, Credentials, new TokenCache(options.Time));
    }

    /// <summary>The Docker config file credentials come from.</summary>
    public string DockerConfigFile => Credentials.ConfigFile;

    internal DockerCredentialStore Credentials { get; }

    /// <summary>
    /// The digest <paramref name="image"/>'s tag points at now; a reference with a digest is returned as it is, without
    /// a request.
    /// </summary>
    public async Task<DigestResolution> ResolveAsync(string image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!ImageReference.TryParse(image, out var reference, out var error))
        {
            return DigestResolution.Failed(image, null, RegistryFailureKind.InvalidReference, "invalid image reference " + error);
        }

        if (reference.Digest is not null)
        {
            return new DigestResolution(image, reference, reference.Digest, null, AlreadyPinned: true);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            return await ResolveTagAsync(image, reference, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DigestResolution.Failed(image, reference, RegistryFailureKind.Timeout,
                $"registry {reference.Registry} (or its token server) did not answer within {_timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s for {reference}; is it overloaded or behind a firewall that drops packets?");
        }
        catch (HttpRequestException e)
        {
            return DigestResolution.Failed(image, reference, RegistryFailureKind.Unreachable,
                $"cannot reach registry {reference.Registry} at {ManifestUri(reference)}: {e.Message}; is the registry running and the host and port right?");
        }
    }

    private async Task<DigestResolution> ResolveTagAsync(string image, ImageReference reference, CancellationToken cancellationToken)
    {
        var atHand = await _authenticator.AtHandAsync(reference, cancellationToken).ConfigureAwait(false);
        var authorization = atHand?.Header;
        var tried = atHand?.Tried ?? "anonymous access";
        var response = await SendAsync(HttpMethod.Head, reference, authorization, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                _authenticator.Refused(authorization);
                var challenge = AuthChallenge.Select(response.Headers.WwwAuthenticate);
                if (challenge is null)
                {
                    return Failed(RegistryFailureKind.Unauthorized, $"registry {reference.Registry} answered 401 Unauthorized without a Basic or Bearer challenge Berth can answer ({response.Headers.WwwAuthenticate})");
                }

                var answer = await _authenticator.AnswerAsync(reference, challenge, cancellationToken).ConfigureAwait(false);
                if (answer.Failure is not null)
                {
                    return DigestResolution.Failed(image, reference, answer.Failure.Kind, answer.Failure.Message);
                }

                response.Dispose();
                authorization = answer.Header;
                tried = answer.Tried;
                response = await SendAsync(HttpMethod.Head, reference, authorization, cancellationToken).ConfigureAwait(false);
            }

            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    if (DigestHeader(response) is { } digest)
                    {
                        return DigestResolution.Resolved(image, reference, digest);
                    }

                    return await DigestOfBodyAsync(image, reference, authorization, cancellationToken).ConfigureAwait(false);
                case HttpStatusCode.NotFound:
                    return Failed(RegistryFailureKind.NotFound, $"registry {reference.Registry} has no manifest for {reference.Repository}:{reference.Tag} (unknown tag or repository); check the spelling, or push the image first");
                case HttpStatusCode.Unauthorized:
                    _authenticator.Refused(authorization);
                    return Failed(RegistryFailureKind.Unauthorized, $"registry {reference.Registry} refused {tried} for {reference.Repository} (401 Unauthorized); check the credentials ('docker login {reference.Registry}')");
                case HttpStatusCode.Forbidden:
                    return Failed(RegistryFailureKind.Unauthorized, $"registry {reference.Registry} denied {tried} access to {reference.Repository} (403 Forbidden)");
                default:
                    return Failed(RegistryFailureKind.UnexpectedResponse, $"registry {reference.Registry} answered {(int)response.StatusCode} {response.ReasonPhrase} for {ManifestUri(reference)}");
            }
        }
        finally
        {
            response.Dispose();
        }

        DigestResolution Failed(RegistryFailureKind kind, string message) => DigestResolution.Failed(image, reference, kind, message);
    }

    // Some registries (and proxies) leave Docker-Content-Digest out of HEAD answers: the digest is the sha256 of the manifest's bytes.
    private async Task<DigestResolution> DigestOfBodyAsync(string image, ImageReference reference, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, reference, authorization, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return DigestResolution.Failed(image, reference, RegistryFailureKind.UnexpectedResponse,
                $"registry {reference.Registry} answered HEAD without a Docker-Content-Digest and GET with {(int)response.StatusCode} {response.ReasonPhrase} for {ManifestUri(reference)}");
        }

        if (response.Content.Headers.ContentLength > MaxManifestBytes)
        {
            return DigestResolution.Failed(image, reference, RegistryFailureKind.UnexpectedResponse, $"registry {reference.Registry} answered a manifest of {response.Content.Headers.ContentLength} bytes for {reference}, too large for one");
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return DigestResolution.Resolved(image, reference, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, ImageReference reference, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ManifestUri(reference));
        foreach (var mediaType in ManifestMediaTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        }

        request.Headers.Authorization = authorization;
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    private static string? DigestHeader(HttpResponseMessage response)
        => response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { Length: > 0 } digest ? digest.Trim() : null;

    internal static Uri ManifestUri(ImageReference reference)
        => new($"{(reference.IsLoopback ? "http" : "https")}://{reference.ApiHost}/v2/{reference.Repository}/manifests/{reference.Tag}");

    public void Dispose() => _http.Dispose();
}
