using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.Registry.Tests;

/// <summary>
/// A small token server (the distribution token spec) on a free loopback port, for a registry configured with
/// <c>auth: token</c>: it issues ES256 JWTs signed with a key whose certificate (issued by a throw-away CA, the
/// registry's <c>rootcertbundle</c>) travels in the <c>x5c</c> header. Repositories under <c>public/</c> are granted to
/// anyone; others only to <see cref="User"/> with <see cref="Password"/> (Basic); wrong credentials get 401, anonymous
/// requests for the others (and everyone, for a repository <see cref="Deny"/> named) a token without access, as Docker
/// Hub does. Counts the requests per scope.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    public const string Service = "berth-test-registry";
    public const string Issuer = "berth-test-token-server";
    public const string User = "token-user";
    public const string Password = "token-secret-9f2c";

    private readonly LoopbackHttpServer _server;
    private readonly X509Certificate2 _signer;
    private readonly ECDsa _key;
    private readonly Dictionary<string, int> _requests = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _denied = new();

    private TokenServer(X509Certificate2 signer, string rootCertificateBundle, TimeSpan lifetime)
    {
        _signer = signer;
        _key = signer.GetECDsaPrivateKey()!;
        RootCertificateBundle = rootCertificateBundle;
        Lifetime = lifetime;
        _server = LoopbackHttpServer.Start(AnswerAsync);
        Realm = _server.BaseUrl + "/token";
    }

    /// <summary>The token endpoint, the registry's <c>realm</c>.</summary>
    public string Realm { get; }

    /// <summary>The PEM file with the CA that issued the signing certificate.</summary>
    public string RootCertificateBundle { get; }

    /// <summary>The registry's <c>auth: token</c> section naming this server: its realm, and its CA to verify tokens with.</summary>
    public string RegistryAuthSection => $"""
        auth:
          token:
            realm: {Realm}
            service: {Service}
            issuer: {Issuer}
            rootcertbundle: {RootCertificateBundle}
        """;

    /// <summary>The <c>expires_in</c> of the tokens.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Starts one on a free port; its CA goes into <paramref name="directory"/>.</summary>
    public static TokenServer Start(string directory, TimeSpan lifetime)
    {
        using var ca = TestCertificates.CreateCa("berth-test-token-ca");
        var signer = TestCertificates.CreateServer(ca, "berth-test-token-signer");
        var bundle = TestCertificates.WritePem(directory, "token-ca.pem", ca);
        return new TokenServer(signer, bundle, lifetime);
    }

    /// <summary>From now on, tokens for <paramref name="repository"/> carry no access (until <see cref="Allow"/>).</summary>
    public void Deny(string repository) => _denied[repository] = true;

    public void Allow(string repository) => _denied.TryRemove(repository, out _);

    /// <summary>How many token requests named <paramref name="scope"/> so far.</summary>
    public int Requests(string scope)
    {
        lock (_requests)
        {
            return _requests.GetValueOrDefault(scope);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        var scope = request.QueryString["scope"] ?? "";
        lock (_requests)
        {
            _requests[scope] = _requests.GetValueOrDefault(scope) + 1;
        }

        var user = AuthenticatedUser(request.Headers["Authorization"], out var refused);
        if (refused || request.QueryString["service"] != Service)
        {
            response.StatusCode = 401;
            return;
        }

        // scope = repository:<name>:<actions>; the name may hold '/', the actions follow the last ':'.
        var access = new JsonArray();
        var parts = scope.Split(':');
        if (parts.Length >= 3 && parts[0] == "repository")
        {
            var name = string.Join(':', parts[1..^1]);
            if ((user is not null || name.StartsWith("public/", StringComparison.Ordinal)) && !_denied.ContainsKey(name))
            {
                access.Add(new JsonObject
                {
                    ["type"] = "repository",
                    ["name"] = name,
                    ["actions"] = new JsonArray([.. parts[^1].Split(',').Select(a => (JsonNode)JsonValue.Create(a)!)]),
                });
            }
        }

        var token = Jwt(user ?? "", access);
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["token"] = token,
            ["access_token"] = token,
            ["expires_in"] = (int)Lifetime.TotalSeconds,
            ["issued_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        }.ToJsonString());
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    // Null for anonymous; refused when credentials came and are not User/Password.
    private static string? AuthenticatedUser(string? authorization, out bool refused)
    {
        refused = false;
        if (authorization is null)
        {
            return null;
        }

        if (authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..]));
            if (text == User + ":" + Password)
            {
                return User;
            }
        }

        refused = true;
        return null;
    }

    private string Jwt(string subject, JsonArray access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "ES256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_signer.RawData)),
        };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = Service,
            ["exp"] = now + (long)Lifetime.TotalSeconds,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));

        // JWS ES256: r and s, 32 bytes each (IEEE P1363), which is .NET's default signature format.
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        _key.Dispose();
        _signer.Dispose();
    }
}
