using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.ApiServer.Security;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// Client certificates against --client-ca-file and the front proxy's request headers against
/// --requestheader-client-ca-file and --requestheader-allowed-names, seen through what the authorizer is asked.
/// </summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private readonly X509Certificate2 _clientCa = TestCertificates.CreateCa("client-ca");
    private readonly X509Certificate2 _proxyCa = TestCertificates.CreateCa("front-proxy-ca");
    private readonly RecordingAuthorizer _authorizer = new();
    private RunningServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        var dir = Directory.CreateTempSubdirectory("berth-auth-").FullName;
        var clientCaFile = TestCertificates.WritePem(dir, "client-ca.crt", _clientCa);
        var proxyCaFile = TestCertificates.WritePem(dir, "proxy-ca.crt", _proxyCa);
        _server = await RunningServer.StartAsync(
            o => o with { ClientCaFile = clientCaFile, RequestHeaderClientCaFile = proxyCaFile, RequestHeaderAllowedNames = ["front-proxy-client"] },
            o => RunningServer.Standalone(o) with { Authorizer = _authorizer },
            TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _clientCa.Dispose();
        _proxyCa.Dispose();
    }

    private async Task<UserInfo?> WhoAmI(HttpClient client, Action<HttpRequestMessage>? headers = null)
    {
        _authorizer.Last = null;
        using var request = new HttpRequestMessage(HttpMethod.Get, "apis");
        headers?.Invoke(request);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.OK ? _authorizer.Last : null;
    }

    // A client certificate for CN and O signed by the CA, presented with the headers.
    private async Task<UserInfo?> WhoAmIWithCertificateAsync(X509Certificate2 ca, string commonName, Action<HttpRequestMessage>? headers, params string[] organizations)
    {
        using var certificate = TestCertificates.CreateClient(ca, commonName, organizations);
        using var client = _server.Client(clientCertificate: certificate);
        return await WhoAmI(client, headers);
    }

    private static void ProxyHeaders(HttpRequestMessage request)
    {
        request.Headers.Add("X-Remote-User", "carol");
        // HttpClient folds repeated values into one line; one value holding a comma shows there is no split.
        request.Headers.Add("X-Remote-Group", "team,b");
        request.Headers.Add("X-Remote-Extra-Scopes%2Fv1", "read");
    }

    [Fact]
    public async Task ClientCertificate_SignedByClientCa_IsCnWithOGroups()
    {
        var user = await WhoAmIWithCertificateAsync(_clientCa, "dave", null, "ops", "dev");
        Assert.NotNull(user);
        Assert.Equal("dave", user.Name);
        Assert.Equal(["dev", "ops", "system:authenticated"], user.Groups.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClientCertificate_FromAnotherCa_IsAnonymous401()
    {
        using var otherCa = TestCertificates.CreateCa("other");
        Assert.Null(await WhoAmIWithCertificateAsync(otherCa, "mallory", null));
    }

    [Fact]
    public async Task RequestHeaders_FromTheAllowedFrontProxy_AreTheIdentity()
    {
        var user = await WhoAmIWithCertificateAsync(_proxyCa, "front-proxy-client", ProxyHeaders);
        Assert.NotNull(user);
        Assert.Equal("carol", user.Name);
        // One group per header value, never split on commas (requestheader.go).
        Assert.Equal(["team,b", "system:authenticated"], user.Groups);
        Assert.Equal(["read"], user.Extra["scopes/v1"]);
    }

    [Fact]
    public async Task RequestHeaders_FromAProxyNameNotAllowed_AreIgnored()
    {
        Assert.Null(await WhoAmIWithCertificateAsync(_proxyCa, "someone-else", ProxyHeaders));
    }

    [Fact]
    public async Task RequestHeaders_WithoutAProxyCertificate_AreIgnored_TheTokenCounts()
    {
        using var client = _server.Client(RunningServer.AliceToken);
        var user = await WhoAmI(client, ProxyHeaders);
        Assert.NotNull(user);
        Assert.Equal("alice", user.Name);
        Assert.Equal(["dev", "system:authenticated"], user.Groups);
        Assert.Equal("alice-uid", user.Uid);

        using var anonymous = _server.Client();
        Assert.Null(await WhoAmI(anonymous, ProxyHeaders));
    }

    [Fact]
    public async Task RequestHeaders_WithAClientCaCertificate_AreIgnored()
    {
        // A user's own client certificate (client CA) must not let it speak for others.
        var user = await WhoAmIWithCertificateAsync(_clientCa, "front-proxy-client", ProxyHeaders);
        Assert.NotNull(user);
        Assert.Equal("front-proxy-client", user.Name);
    }

    [Fact]
    public async Task Denied_Is403WordedAsKubeApiServer()
    {
        using var client = _server.Client(RunningServer.AliceToken);
        var ct = TestContext.Current.CancellationToken;
        _authorizer.Deny = true;
        try
        {
            using var response = await client.GetAsync("apis/compose.docker.com/v1alpha3/namespaces/ns1/stacks/s1/scale", ct);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            Assert.Equal("stacks.compose.docker.com \"s1\" is forbidden: User \"alice\" cannot get resource \"stacks/scale\" in API group \"compose.docker.com\" in the namespace \"ns1\"", status["message"]!.ToString());
            Assert.Equal("Forbidden", status["reason"]!.ToString());

            using var list = await client.GetAsync("apis/compose.docker.com/v1alpha3/stacks", ct);
            Assert.Equal("stacks.compose.docker.com is forbidden: User \"alice\" cannot list resource \"stacks\" in API group \"compose.docker.com\" at the cluster scope", JsonNode.Parse(await list.Content.ReadAsStringAsync(ct))!["message"]!.ToString());

            using var path = await client.GetAsync("apis", ct);
            Assert.Equal("forbidden: User \"alice\" cannot get path \"/apis\"", JsonNode.Parse(await path.Content.ReadAsStringAsync(ct))!["message"]!.ToString());
        }
        finally
        {
            _authorizer.Deny = false;
        }
    }

    /// <summary>Records who was authorized; denies everything when asked to. Stands in for the cluster's SAR.</summary>
    private sealed class RecordingAuthorizer : IAuthorizer
    {
        public volatile UserInfo? Last;
        public volatile bool Deny;

        public Task<AuthorizationDecision> AuthorizeAsync(UserInfo user, RequestInfo request, CancellationToken cancellationToken)
        {
            Last = user;
            return Task.FromResult(new AuthorizationDecision(!Deny, string.Empty));
        }
    }
}
