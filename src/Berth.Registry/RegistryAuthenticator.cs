using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Berth.Registry;

/// <summary>How a request was (or could not be) authorized, and with what, as a message names it.</summary>
/// <param name="Header">The Authorization header to send.</param>
/// <param name="Tried">The credentials behind it, for a refusal's message (never the secret).</param>
/// <param name="Failure">Why there is no header to send.</param>
internal sealed record AuthAnswer(AuthenticationHeaderValue? Header, string Tried, RegistryFailure? Failure);

/// <summary>
/// Answers registry challenges: Basic with the Docker config's credentials; Bearer by asking the token server named in
/// the challenge (with the credentials when there are some, anonymously otherwise) and caching the token per scope. It
/// remembers each registry's challenge, so the next request to it carries a cached token or the credentials at once.
/// </summary>
internal sealed class RegistryAuthenticator(HttpClient http, DockerCredentialStore credentials, TokenCache tokens)
{
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Authorization the registry asked for last time when it is at hand (a cached token, Basic credentials); null otherwise.</summary>
    public async Task<AuthAnswer?> AtHandAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        if (!_challenges.TryGetValue(reference.Registry, out var challenge))
        {
            return null;
        }

        var lookup = await credentials.LookupAsync(reference.Registry, cancellationToken).ConfigureAwait(false);
        if (challenge.IsBasic)
        {
            return lookup.Credentials is { } basic ? new AuthAnswer(BasicHeader(basic), basic.Description + " (Basic auth)", null) : null;
        }

        var key = TokenKeyFor(reference, challenge, lookup.Credentials);
        return key is not null && tokens.Find(key) is { } token
            ? new AuthAnswer(new AuthenticationHeaderValue("Bearer", token), $"{lookup.Description} (cached Bearer token from {key.Realm})", null)
            : null;
    }

    /// <summary>The registry refused <paramref name="header"/>: a Bearer token in it is not handed out again.</summary>
    public void Refused(AuthenticationHeaderValue? header)
    {
        if (header is { Scheme: "Bearer", Parameter: { } token })
        {
            tokens.Forget(token);
        }
    }

    /// <summary>Answers <paramref name="challenge"/>, which the registry sent for <paramref name="reference"/>.</summary>
    public async Task<AuthAnswer> AnswerAsync(ImageReference reference, AuthChallenge challenge, CancellationToken cancellationToken)
    {
        _challenges[reference.Registry] = challenge;
        var lookup = await credentials.LookupAsync(reference.Registry, cancellationToken).ConfigureAwait(false);
        if (challenge.IsBasic)
        {
            if (lookup.Failure is not null)
            {
                return new AuthAnswer(null, "", lookup.Failure);
            }

            return lookup.Credentials is { } basic
                ? new AuthAnswer(BasicHeader(basic), basic.Description + " (Basic auth)", null)
                : new AuthAnswer(null, "", new RegistryFailure(
                    RegistryFailureKind.Unauthorized,
                    $"registry {reference.Registry} requires a user name and password (Basic auth) for {reference.Repository} and Berth has {lookup.Description}; run 'docker login {reference.Registry}' or add its auths entry to the Docker config"));
        }

        // A credential helper Berth cannot run yet: an anonymous token may still do (public images); a refusal then names the helper.
        return await BearerAsync(reference, challenge, lookup, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuthAnswer> BearerAsync(ImageReference reference, AuthChallenge challenge, CredentialLookup lookup, CancellationToken cancellationToken)
    {
        var realm = challenge.Parameter("realm");
        if (realm is null || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || (realmUri.Scheme != Uri.UriSchemeHttp && realmUri.Scheme != Uri.UriSchemeHttps))
        {
            return Failed(RegistryFailureKind.UnexpectedResponse, $"registry {reference.Registry} asked for a Bearer token without a usable token server (realm '{realm}')");
        }

        var key = TokenKeyFor(reference, challenge, lookup.Credentials)!;
        var tried = lookup.Failure is null ? lookup.Description : "no credentials (" + lookup.Failure.Message + ")";
        var triedWithToken = $"{tried} (Bearer token from {realm})";
        if (tokens.Find(key) is { } cached)
        {
            return new AuthAnswer(new AuthenticationHeaderValue("Bearer", cached), triedWithToken, null);
        }

        // The challenge's scope is what the registry wants; the cache key's scope is the repository's pull scope, which
        // is what a later request checks the cache for.
        var query = new StringBuilder();
        if (challenge.Parameter("service") is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(challenge.Parameter("scope") ?? key.Scope));
        var builder = new UriBuilder(realmUri) { Query = realmUri.Query.Length > 1 ? realmUri.Query[1..] + "&" + query : query.ToString() };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (lookup.Credentials is { } basic)
        {
            request.Headers.Authorization = BasicHeader(basic);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return Failed(RegistryFailureKind.Unreachable, $"cannot reach the token server {realm} of registry {reference.Registry}: {e.Message}");
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return lookup.Failure is not null && lookup.Credentials is null
                    ? new AuthAnswer(null, "", lookup.Failure)
                    : Failed(RegistryFailureKind.Unauthorized, $"the token server {realm} of registry {reference.Registry} refused {tried} for {key.Scope} ({(int)response.StatusCode} {response.ReasonPhrase})");
            }

            if (!response.IsSuccessStatusCode)
            {
                return Failed(RegistryFailureKind.UnexpectedResponse, $"the token server {realm} of registry {reference.Registry} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            TokenResponse? answer;
            try
            {
                // Read whole, then parsed synchronously: no asynchronous JSON stream read in the binary (docs/design/startup.md).
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                answer = JsonSerializer.Deserialize(body, RegistryJsonContext.Default.TokenResponse);
            }
            catch (JsonException)
            {
                answer = null;
            }

            var token = answer?.Token is { Length: > 0 } t ? t : answer?.AccessToken;
            if (string.IsNullOrEmpty(token))
            {
                return Failed(RegistryFailureKind.UnexpectedResponse, $"the token server {realm} of registry {reference.Registry} answered without a token");
            }

            var lifetime = answer?.ExpiresIn is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : TokenCache.DefaultLifetime;
            tokens.Add(key, token, lifetime);
            return new AuthAnswer(new AuthenticationHeaderValue("Bearer", token), triedWithToken, null);
        }
    }

    private static TokenKey? TokenKeyFor(ImageReference reference, AuthChallenge challenge, RegistryCredentials? user)
        => challenge.Parameter("realm") is { } realm
            ? new TokenKey(realm, challenge.Parameter("service") ?? "", $"repository:{reference.Repository}:pull", user?.Username ?? "")
            : null;

    private static AuthenticationHeaderValue BasicHeader(RegistryCredentials credentials)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)));

    private static AuthAnswer Failed(RegistryFailureKind kind, string message) => new(null, "", new RegistryFailure(kind, message));
}
