using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.Kubernetes.Access;

namespace Berth.ApiServer.Security;

/// <summary>
/// The authenticators in k8s.io/apiserver's order, first success wins
/// (AS/pkg/authentication/authenticatorfactory/delegating.go): the front proxy's request headers, a client
/// certificate, a bearer token (the token file, then a TokenReview when a cluster is configured). None → anonymous,
/// which this server refuses with 401.
/// </summary>
internal sealed class Authenticator : IDisposable
{
    private readonly TokenFile _tokens;
    private readonly ExtensionAuthentication _trust;
    private readonly ClusterClient? _cluster;
    private readonly DecisionCache<UserInfo?> _tokenReviews;
    private readonly ILogger _logger;

    public Authenticator(ServerOptions options, TokenFile tokens, ClusterClient? cluster, TimeProvider time, ILogger logger)
    {
        _tokens = tokens;
        _cluster = cluster;
        _logger = logger;
        _trust = new ExtensionAuthentication(options, cluster, logger);
        _tokenReviews = new DecisionCache<UserInfo?>(TimeSpan.FromSeconds(10), time);
    }

    /// <summary>The user, with system:authenticated added, or null (anonymous or rejected credentials).</summary>
    public async Task<UserInfo?> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        await _trust.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        var trust = _trust.Current;
        var user = FromRequestHeaders(context, trust) ?? FromClientCertificate(context.Connection.ClientCertificate, trust) ?? await FromBearerTokenAsync(context.Request, cancellationToken).ConfigureAwait(false);
        StripRequestHeaders(context.Request, trust);
        return user?.WithAuthenticatedGroup();
    }

    // AS/pkg/authentication/request/headerrequest/requestheader.go behind x509.go's verifier: the headers count only
    // when the connection's client certificate chains to the request-header CA and its CN is allowed.
    private UserInfo? FromRequestHeaders(HttpContext context, AuthenticationTrust trust)
    {
        var certificate = context.Connection.ClientCertificate;
        if (trust.RequestHeaderCa is null || certificate is null || !Chains(certificate, trust.RequestHeaderCa))
        {
            return null;
        }

        var cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
        if (trust.RequestHeaderAllowedNames.Length > 0 && !trust.RequestHeaderAllowedNames.Contains(cn))
        {
            _logger.LogWarning("request-header client certificate refused: subject with cn={CommonName} is not in the allowed list", cn);
            return null;
        }

        var headers = context.Request.Headers;
        var name = trust.RequestHeaderUsernameHeaders.Select(h => headers[h].FirstOrDefault()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        if (name is null)
        {
            return null;
        }

        // Each header value is one group: no comma split (requestheader.go allHeaderValues).
        var groups = trust.RequestHeaderGroupHeaders.SelectMany(h => headers[h].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)).ToImmutableArray();
        var extra = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var prefix in trust.RequestHeaderExtraHeadersPrefix)
        {
            foreach (var header in headers.Where(h => h.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                var key = Uri.UnescapeDataString(header.Key[prefix.Length..]).ToLowerInvariant();
                extra[key] = extra.TryGetValue(key, out var existing) ? existing.AddRange(header.Value.Select(v => v ?? string.Empty)) : [.. header.Value.Select(v => v ?? string.Empty)];
            }
        }

        return new UserInfo(name, null, groups, extra.ToImmutable());
    }

    // Headers from anyone else are dropped so nothing downstream can read them as identity.
    private static void StripRequestHeaders(HttpRequest request, AuthenticationTrust trust)
    {
        foreach (var header in trust.RequestHeaderUsernameHeaders.Concat(trust.RequestHeaderGroupHeaders))
        {
            request.Headers.Remove(header);
        }

        foreach (var key in request.Headers.Keys.Where(k => trust.RequestHeaderExtraHeadersPrefix.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            request.Headers.Remove(key);
        }
    }

    // AS/pkg/authentication/request/x509/x509.go CommonNameUserConversion: CN is the user, each O a group.
    private static UserInfo? FromClientCertificate(X509Certificate2? certificate, AuthenticationTrust trust)
    {
        if (trust.ClientCa is null || certificate is null || !Chains(certificate, trust.ClientCa))
        {
            return null;
        }

        var cn = certificate.GetNameInfo(X509NameType.SimpleName, false);
        if (string.IsNullOrEmpty(cn))
        {
            return null;
        }

        var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == "2.5.4.10")
            .Select(r => r.GetSingleElementValue() ?? string.Empty)
            .Where(v => v.Length > 0)
            .ToImmutableArray();
        return new UserInfo(cn, null, groups, ImmutableDictionary<string, ImmutableArray<string>>.Empty);
    }

    private async Task<UserInfo?> FromBearerTokenAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length == 0)
        {
            return null;
        }

        if (_tokens.Find(token) is { } user)
        {
            return user;
        }

        return _cluster is null ? null : await TokenReviewAsync(token, cancellationToken).ConfigureAwait(false);
    }

    // AS/plugin/pkg/authenticator/token/webhook/webhook.go: POST a TokenReview, answers cached 10 s by a hash of the
    // token (the token itself is never kept or logged).
    private async Task<UserInfo?> TokenReviewAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (_tokenReviews.TryGet(key, out var cached))
        {
            return cached;
        }

        var review = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject { ["token"] = token },
        };
        JsonObject answer;
        try
        {
            answer = await _cluster!.PostAsync("apis/authentication.k8s.io/v1/tokenreviews", review, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            // Not cached: the next request tries again.
            _logger.LogWarning("TokenReview failed: {Error}", e.Message);
            return null;
        }

        var status = answer["status"] as JsonObject;
        UserInfo? user = null;
        if (status?["authenticated"]?.GetValue<bool>() == true && status["user"] is JsonObject u)
        {
            var extra = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
            foreach (var (k, v) in u["extra"] as JsonObject ?? [])
            {
                extra[k] = [.. (v as JsonArray ?? []).Select(x => x?.ToString() ?? string.Empty)];
            }

            user = new UserInfo(
                u["username"]?.ToString() ?? string.Empty,
                u["uid"]?.ToString(),
                [.. (u["groups"] as JsonArray ?? []).Select(x => x?.ToString() ?? string.Empty)],
                extra.ToImmutable());
            if (user.Name.Length == 0)
            {
                user = null;
            }
        }

        _tokenReviews.Set(key, user);
        return user;
    }

    private static bool Chains(X509Certificate2 certificate, X509Certificate2Collection roots) => CustomRoots.Chains(certificate, roots, CustomRoots.ClientAuthUsage);

    public void Dispose() => _trust.Dispose();
}
