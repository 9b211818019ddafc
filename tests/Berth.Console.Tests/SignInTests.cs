using System.Net;
using Berth.Console.Accounts;
using Berth.Console.Hosting;

namespace Berth.Console.Tests;

/// <summary>Sign-in, sessions and the security rules of berth-console, over HTTP against the real host.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("alice", ConsoleRole.Admin, cancellationToken: Ct);
        await _server.AddAccountAsync("victor", ConsoleRole.Viewer, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ThePages_SignedOut_RedirectToTheLoginPage_WithTheReturnUrl()
    {
        using var client = _server.Client();

        foreach (var path in new[] { "/", "/stacks", "/audit" })
        {
            using var answer = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.Equal($"/login?returnUrl={Uri.EscapeDataString(path)}", answer.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task TheRightPassword_SignsIn_WithAnHttpOnlyStrictCookie_AndReachesTheStacks()
    {
        var cookies = new CookieContainer();
        using var client = _server.Client(cookies);

        using var answer = await ConsoleServer.SignInAsync(client, "alice", ConsoleServer.Password, Ct, returnUrl: "/stacks?q=web");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/stacks?q=web", answer.Headers.Location!.OriginalString);
        var setCookie = answer.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("berth-session=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        using var stacks = await client.GetAsync("/stacks", Ct);
        Assert.Equal(HttpStatusCode.OK, stacks.StatusCode);
        var page = await stacks.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<h1>Stacks</h1>", page, StringComparison.Ordinal);
        Assert.Contains("alice (admin)", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongPassword_AndAnUnknownName_GetTheSameAnswer_AndBothAreAudited()
    {
        using var client = _server.Client();

        using var wrong = await ConsoleServer.SignInAsync(client, "alice", "not the password at all", Ct);
        using var unknown = await ConsoleServer.SignInAsync(client, "mallory", "not the password at all", Ct);

        Assert.Equal(wrong.Headers.Location, unknown.Headers.Location);
        Assert.StartsWith("/login?error=invalid", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("The name or the password is wrong.", await client.GetStringAsync(wrong.Headers.Location, Ct), StringComparison.Ordinal);
        var audit = await _server.Store.ReadAuditAsync(50, Ct);
        Assert.Contains(audit, e => e is { Action: "sign-in", Actor: "alice", Result: "refused" } && e.Detail.StartsWith("wrong password", StringComparison.Ordinal));
        Assert.Contains(audit, e => e is { Action: "sign-in", Actor: "mallory", Result: "refused" } && e.Detail.StartsWith("unknown account", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, e => e.Detail.Contains("not the password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASignInWithoutTheAntiforgeryToken_IsRefused_AndSignsNobodyIn()
    {
        using var client = _server.Client();

        using var answer = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "alice", ["password"] = ConsoleServer.Password }), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.False(answer.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("berth-session=", StringComparison.Ordinal)));
        Assert.DoesNotContain(await _server.Store.ReadAuditAsync(50, Ct), e => e is { Action: "sign-in", Result: "ok" });
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_SoEvenTheRightOneIsRefused()
    {
        using var client = _server.Client();
        for (var i = 0; i < AccountService.MaxFailedSignIns; i++)
        {
            using var _ = await ConsoleServer.SignInAsync(client, "victor", $"wrong password number {i}", Ct);
        }

        using var right = await ConsoleServer.SignInAsync(client, "victor", ConsoleServer.Password, Ct);

        Assert.StartsWith("/login?error=locked", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("this account is locked", await client.GetStringAsync(right.Headers.Location, Ct), StringComparison.Ordinal);
        Assert.NotNull((await _server.Store.FindAccountAsync("victor", Ct))!.LockedUntil);
    }

    [Fact]
    public async Task TooManySignInsFromOneAddress_Get429_WithRetryAfter()
    {
        using var client = _server.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= ConsoleHost.SignInsPerMinute; i++)
        {
            using var answer = await ConsoleServer.SignInAsync(client, "nobody", "whatever it is here", Ct);
            statuses.Add(answer.StatusCode);
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("60", answer.Headers.GetValues("Retry-After").Single());
            }
        }

        Assert.All(statuses.Take(ConsoleHost.SignInsPerMinute), s => Assert.Equal(HttpStatusCode.Redirect, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Theory]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task AReturnUrlOffTheSite_IsNotFollowed(string returnUrl)
    {
        using var client = _server.Client();

        using var answer = await ConsoleServer.SignInAsync(client, "alice", ConsoleServer.Password, Ct, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AViewer_IsDeniedTheAuditLog_AnAdminReadsIt()
    {
        using var viewer = _server.Client();
        using var admin = _server.Client();
        (await ConsoleServer.SignInAsync(viewer, "victor", ConsoleServer.Password, Ct)).Dispose();
        (await ConsoleServer.SignInAsync(admin, "alice", ConsoleServer.Password, Ct)).Dispose();

        using var denied = await viewer.GetAsync("/audit", Ct);
        using var allowed = await admin.GetAsync("/audit", Ct);

        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/denied", denied.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        var page = await allowed.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<h1>Audit log</h1>", page, StringComparison.Ordinal);
        Assert.Contains("<td>victor</td>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/audit\"", await viewer.GetStringAsync("/stacks", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningOut_EndsTheSession_AndIsAudited()
    {
        using var client = _server.Client();
        (await ConsoleServer.SignInAsync(client, "alice", ConsoleServer.Password, Ct)).Dispose();
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks", Ct);

        using var signOut = await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);
        using var after = await client.GetAsync("/stacks", Ct);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Contains(await _server.Store.ReadAuditAsync(50, Ct), e => e is { Action: "sign-out", Actor: "alice", Result: "ok" });
    }

    [Fact]
    public async Task EveryAnswer_CarriesTheBrowserSecurityHeaders()
    {
        using var client = _server.Client();

        foreach (var path in new[] { "/login", "/stacks", "/css/console.css", "/healthz" })
        {
            using var answer = await client.GetAsync(path, Ct);
            var csp = answer.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("form-action 'self'", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", answer.Headers.GetValues("X-Frame-Options").Single());
        }
    }
}
