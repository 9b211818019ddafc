using System.Net.Http.Headers;

namespace Berth.Registry.Tests;

public sealed class AuthChallengeTests
{
    [Fact]
    public void ParseParameters_BearerChallenge_ReadsQuotedValues()
    {
        var parameters = AuthChallenge.ParseParameters("realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        Assert.Equal("https://auth.docker.io/token", parameters["realm"]);
        Assert.Equal("registry.docker.io", parameters["Service"]);
        Assert.Equal("repository:library/busybox:pull", parameters["scope"]);
    }

    [Fact]
    public void ParseParameters_EscapesCommasAndTokens()
    {
        var parameters = AuthChallenge.ParseParameters("realm=\"a \\\"quoted\\\" realm\", scope=\"repository:x:pull,push\", error=insufficient_scope");
        Assert.Equal("a \"quoted\" realm", parameters["realm"]);
        Assert.Equal("repository:x:pull,push", parameters["scope"]);
        Assert.Equal("insufficient_scope", parameters["error"]);
    }

    [Fact]
    public void Select_PrefersBearerOverBasic()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Basic", "realm=\"r\""));
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Bearer", "realm=\"http://127.0.0.1:1/token\""));
        var challenge = AuthChallenge.Select(response.Headers.WwwAuthenticate);
        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
        Assert.Equal("http://127.0.0.1:1/token", challenge.Parameter("realm"));
    }

    [Fact]
    public void Select_UnknownScheme_IsNull()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Negotiate"));
        Assert.Null(AuthChallenge.Select(response.Headers.WwwAuthenticate));
    }
}
