using System.Net;
using System.Text.RegularExpressions;
using Berth.Console.Accounts;

namespace Berth.Console.Tests;

/// <summary>
/// Account administration over HTTP against the real host: each admin action, its effect on the account's open
/// sessions (ended at their next request through the security stamp), its audit entry, the last-admin rule, and the
/// server refusing every admin endpoint to operators, viewers, visitors and forged forms.
/// </summary>
public sealed partial class AccountsAdminTests : IAsyncLifetime
{
    private const string NewPassword = "a brand new password here";

    private ConsoleServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync(Ct);
        await _server.AddAccountAsync("chief", ConsoleRole.Admin, cancellationToken: Ct);
        await _server.AddAccountAsync("alice", ConsoleRole.Admin, cancellationToken: Ct);
        await _server.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
        await _server.AddAccountAsync("victor", ConsoleRole.Viewer, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpClient> SignedInAsync(string name, string password = ConsoleServer.Password)
    {
        var client = _server.Client();
        using var answer = await ConsoleServer.SignInAsync(client, name, password, Ct);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
        return client;
    }

    /// <summary>Posts a form as the page would: with the antiforgery token of the client's session.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, params (string Name, string Value)[] fields)
    {
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks", Ct);
        return await client.PostAsync(path, new FormUrlEncodedContent([new("__RequestVerificationToken", token), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]), Ct);
    }

    private static async Task AssertSignedOutAsync(HttpClient client)
    {
        using var next = await client.GetAsync("/stacks", Ct);
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.StartsWith("/login", next.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private static async Task AssertSignedInAsync(HttpClient client)
    {
        using var next = await client.GetAsync("/stacks", Ct);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private async Task<bool> CanSignInAsync(string name, string password)
    {
        using var client = _server.Client();
        using var answer = await ConsoleServer.SignInAsync(client, name, password, Ct);
        return answer.Headers.Location?.OriginalString == "/";
    }

    private async Task AssertAuditedAsync(string action, string target, string result)
    {
        var audit = await _server.Store.ReadAuditAsync(100, Ct);
        Assert.Contains(audit, e => e.Actor == "chief" && e.Action == action && e.Target == target && e.Result == result);
    }

    [Fact]
    public async Task AnAdmin_ListsTheAccounts_WithRoleScopeStateAndCreation()
    {
        using var root = await SignedInAsync("chief");
        var olga = (await _server.Store.FindAccountAsync("olga", Ct))!;
        await _server.Store.UpdateAccountAsync(olga with { Disabled = true, StackPrefixes = ["shop-"] }, Ct);

        var page = await root.GetStringAsync("/accounts", Ct);

        Assert.Contains("<caption>4 account(s)</caption>", page, StringComparison.Ordinal);
        Assert.Matches(@"<td><a href=""/accounts/olga"">olga</a></td>\s*<td>operator</td>\s*<td>prefixes shop-</td>\s*<td>disabled</td>\s*<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>", page);
        Assert.Matches(@"<td><a href=""/accounts/victor"">victor</a></td>\s*<td>viewer</td>\s*<td>all stacks</td>\s*<td>enabled</td>", page);
        Assert.Contains("href=\"/accounts\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddingWithATypedPassword_CreatesTheAccount_WhichSignsIn_AndIsAudited()
    {
        using var root = await SignedInAsync("chief");

        using var answer = await PostAsync(root, "/accounts/add", ("name", "nina"), ("role", "operator"), ("password", NewPassword), ("namespaces", "shop"), ("prefixes", "web-, shop-"));

        Assert.Equal("/accounts?done=added&account=nina", answer.Headers.Location!.OriginalString);
        var nina = await _server.Store.FindAccountAsync("nina", Ct);
        Assert.NotNull(nina);
        Assert.Equal(ConsoleRole.Operator, nina.Role);
        Assert.Equal(["shop"], nina.Namespaces);
        Assert.Equal(["shop-", "web-"], nina.StackPrefixes);
        Assert.True(await CanSignInAsync("nina", NewPassword));
        Assert.Contains("Account nina added.", await root.GetStringAsync(answer.Headers.Location, Ct), StringComparison.Ordinal);
        await AssertAuditedAsync("account.add", "nina", "ok");
        Assert.DoesNotContain(await _server.Store.ReadAuditAsync(100, Ct), e => e.Detail.Contains(NewPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddingWithoutAPassword_ShowsTheGeneratedOne_OnceAndUncached_AndItSignsIn()
    {
        using var root = await SignedInAsync("chief");

        using var answer = await PostAsync(root, "/accounts/add", ("name", "gen"), ("role", "viewer"), ("password", string.Empty), ("namespaces", string.Empty), ("prefixes", string.Empty));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("no-store", answer.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var page = await answer.Content.ReadAsStringAsync(Ct);
        var issued = IssuedPassword().Match(page).Groups[1].Value;
        Assert.Equal(20, issued.Length);
        Assert.Contains("<h1>Password of gen</h1>", page, StringComparison.Ordinal);
        Assert.True(await CanSignInAsync("gen", issued));
        Assert.DoesNotContain(issued, await root.GetStringAsync("/accounts", Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(issued, await root.GetStringAsync("/accounts/gen", Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(await _server.Store.ReadAuditAsync(100, Ct), e => e.Detail.Contains(issued, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("-bad", "viewer", NewPassword, "", "bad-name")]
    [InlineData("nina", "viewer", "short", "", "weak-password")]
    [InlineData("nina", "boss", NewPassword, "", "bad-role")]
    [InlineData("nina", "viewer", NewPassword, "Shop_Space", "bad-namespace")]
    [InlineData("Olga", "viewer", NewPassword, "", "taken")]
    public async Task InvalidInput_IsRefusedWithItsReason_AndNothingIsSaved(string name, string role, string password, string namespaces, string code)
    {
        using var root = await SignedInAsync("chief");

        using var answer = await PostAsync(root, "/accounts/add", ("name", name), ("role", role), ("password", password), ("namespaces", namespaces), ("prefixes", string.Empty));

        Assert.StartsWith($"/accounts?error={code}&", answer.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", await root.GetStringAsync(answer.Headers.Location, Ct), StringComparison.Ordinal);
        Assert.Equal(4, (await _server.Store.ListAccountsAsync(Ct)).Count);
        Assert.Equal(ConsoleRole.Operator, (await _server.Store.FindAccountAsync("olga", Ct))!.Role);
    }

    [Fact]
    public async Task ChangingTheRole_EndsTheAccountsSessions_AndTheNewRoleApplies()
    {
        using var root = await SignedInAsync("chief");
        using var victor = await SignedInAsync("victor");

        using var answer = await PostAsync(root, "/accounts/victor/role", ("role", "admin"));

        Assert.Equal("/accounts/victor?done=role", answer.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(victor);
        Assert.Equal(ConsoleRole.Admin, (await _server.Store.FindAccountAsync("victor", Ct))!.Role);
        using var again = await SignedInAsync("victor");
        using var accounts = await again.GetAsync("/accounts", Ct);
        Assert.Equal(HttpStatusCode.OK, accounts.StatusCode);
        await AssertSignedInAsync(root);
        await AssertAuditedAsync("account.role", "victor", "ok");
    }

    [Fact]
    public async Task ChangingTheScope_EndsTheSessions_AndAnInvalidScopeChangesNothing()
    {
        using var root = await SignedInAsync("chief");
        using var olga = await SignedInAsync("olga");

        using var bad = await PostAsync(root, "/accounts/olga/scope", ("namespaces", "shop"), ("prefixes", "-nope"));
        await AssertSignedInAsync(olga);
        using var good = await PostAsync(root, "/accounts/olga/scope", ("namespaces", "shop prod"), ("prefixes", "shop-"));

        Assert.Equal("/accounts/olga?error=bad-prefix", bad.Headers.Location!.OriginalString);
        Assert.Equal("/accounts/olga?done=scope", good.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(olga);
        var account = (await _server.Store.FindAccountAsync("olga", Ct))!;
        Assert.Equal(["prod", "shop"], account.Namespaces);
        Assert.Equal(["shop-"], account.StackPrefixes);
        await AssertAuditedAsync("account.scope", "olga", "ok");
    }

    [Fact]
    public async Task Disabling_EndsTheSessions_AndRefusesSignIn_UntilEnabledAgain()
    {
        using var root = await SignedInAsync("chief");
        using var olga = await SignedInAsync("olga");

        using var disable = await PostAsync(root, "/accounts/olga/disable");

        Assert.Equal("/accounts/olga?done=disabled", disable.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(olga);
        Assert.False(await CanSignInAsync("olga", ConsoleServer.Password));
        using var enable = await PostAsync(root, "/accounts/olga/enable");
        Assert.Equal("/accounts/olga?done=enabled", enable.Headers.Location!.OriginalString);
        Assert.True(await CanSignInAsync("olga", ConsoleServer.Password));
        await AssertAuditedAsync("account.disable", "olga", "ok");
        await AssertAuditedAsync("account.enable", "olga", "ok");
    }

    [Fact]
    public async Task ResettingThePassword_EndsTheSessions_TheOldOneFails_TheNewOneSignsIn()
    {
        using var root = await SignedInAsync("chief");
        using var olga = await SignedInAsync("olga");

        using var weak = await PostAsync(root, "/accounts/olga/password", ("password", "short"));
        using var reset = await PostAsync(root, "/accounts/olga/password", ("password", NewPassword));

        Assert.Equal("/accounts/olga?error=weak-password", weak.Headers.Location!.OriginalString);
        Assert.Equal("/accounts/olga?done=password", reset.Headers.Location!.OriginalString);
        await AssertSignedOutAsync(olga);
        Assert.False(await CanSignInAsync("olga", ConsoleServer.Password));
        Assert.True(await CanSignInAsync("olga", NewPassword));
        await AssertAuditedAsync("account.password", "olga", "ok");
        Assert.DoesNotContain(await _server.Store.ReadAuditAsync(100, Ct), e => e.Detail.Contains(NewPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unlocking_LetsALockedOutAccountSignInAgain()
    {
        for (var i = 0; i < AccountService.MaxFailedSignIns; i++)
        {
            Assert.False(await CanSignInAsync("victor", $"wrong password number {i}"));
        }

        Assert.False(await CanSignInAsync("victor", ConsoleServer.Password));
        using var root = await SignedInAsync("chief");
        Assert.Contains("<dt>State</dt><dd>locked until", await root.GetStringAsync("/accounts/victor", Ct), StringComparison.Ordinal);

        using var unlock = await PostAsync(root, "/accounts/victor/unlock");

        Assert.Equal("/accounts/victor?done=unlocked", unlock.Headers.Location!.OriginalString);
        Assert.True(await CanSignInAsync("victor", ConsoleServer.Password));
        await AssertAuditedAsync("account.unlock", "victor", "ok");
    }

    [Fact]
    public async Task TheLastEnabledAdmin_CanBeNeitherDisabledNorDemoted()
    {
        using var root = await SignedInAsync("chief");
        using var disableAlice = await PostAsync(root, "/accounts/alice/disable");
        Assert.Equal("/accounts/alice?done=disabled", disableAlice.Headers.Location!.OriginalString);

        using var disableSelf = await PostAsync(root, "/accounts/chief/disable");
        using var demoteSelf = await PostAsync(root, "/accounts/chief/role", ("role", "operator"));

        Assert.Equal("/accounts/chief?error=last-admin", disableSelf.Headers.Location!.OriginalString);
        Assert.Equal("/accounts/chief?error=last-admin", demoteSelf.Headers.Location!.OriginalString);
        Assert.Contains("chief is the last enabled admin", await root.GetStringAsync(demoteSelf.Headers.Location, Ct), StringComparison.Ordinal);
        var account = (await _server.Store.FindAccountAsync("chief", Ct))!;
        Assert.Equal((ConsoleRole.Admin, false), (account.Role, account.Disabled));
        await AssertSignedInAsync(root);
        await AssertAuditedAsync("account.disable", "chief", "refused");
        await AssertAuditedAsync("account.role", "chief", "refused");
    }

    public static TheoryData<string, string> EveryAdminPost => new()
    {
        { "olga", "/accounts/add" }, { "olga", "/accounts/victor/role" }, { "olga", "/accounts/victor/scope" }, { "olga", "/accounts/victor/disable" },
        { "olga", "/accounts/victor/enable" }, { "olga", "/accounts/victor/unlock" }, { "olga", "/accounts/victor/password" },
        { "victor", "/accounts/add" }, { "victor", "/accounts/victor/role" }, { "victor", "/accounts/victor/scope" }, { "victor", "/accounts/victor/disable" },
        { "victor", "/accounts/victor/enable" }, { "victor", "/accounts/victor/unlock" }, { "victor", "/accounts/victor/password" },
    };

    [Theory]
    [MemberData(nameof(EveryAdminPost))]
    public async Task AnOperatorOrViewer_PostingToAnAdminEndpoint_IsSentToDenied_AndNothingChanges(string who, string path)
    {
        using var client = await SignedInAsync(who);
        var before = await _server.Store.ListAccountsAsync(Ct);

        using var answer = await PostAsync(client, path, ("name", "mallory"), ("role", "admin"), ("password", NewPassword), ("namespaces", string.Empty), ("prefixes", string.Empty));

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith("/denied", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(before, await _server.Store.ListAccountsAsync(Ct), AccountComparer.Instance);
        Assert.DoesNotContain(await _server.Store.ReadAuditAsync(100, Ct), e => e.Action.StartsWith("account.", StringComparison.Ordinal) && e.Actor == who);
    }

    [Theory]
    [InlineData("olga")]
    [InlineData("victor")]
    public async Task AnOperatorOrViewer_IsDeniedTheAccountsPages_AndDoesNotSeeTheirLink(string who)
    {
        using var client = await SignedInAsync(who);

        foreach (var path in new[] { "/accounts", "/accounts/chief" })
        {
            using var answer = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.StartsWith("/denied", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("href=\"/accounts\"", await client.GetStringAsync("/stacks", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AVisitor_PostingToAnAdminEndpoint_IsSentToSignIn()
    {
        using var client = _server.Client();
        var token = await ConsoleServer.FormTokenAsync(client, "/login", Ct);

        using var answer = await client.PostAsync("/accounts/victor/disable", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith("/login", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.False((await _server.Store.FindAccountAsync("victor", Ct))!.Disabled);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged-token")]
    public async Task AnAdminsPost_WithoutAValidAntiforgeryToken_IsRefused_EvenWithoutOtherFields(string? token)
    {
        using var root = await SignedInAsync("chief");
        var fields = token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["__RequestVerificationToken"] = token };

        using var disable = await root.PostAsync("/accounts/victor/disable", new FormUrlEncodedContent(fields), Ct);
        using var role = await root.PostAsync("/accounts/victor/role", new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["role"] = "admin" }), Ct);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (disable.StatusCode, role.StatusCode));
        var victor = (await _server.Store.FindAccountAsync("victor", Ct))!;
        Assert.Equal((false, ConsoleRole.Viewer), (victor.Disabled, victor.Role));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("forged-token")]
    public async Task SigningOut_WithoutAValidAntiforgeryToken_IsRefused_AndTheSessionStays(string? token)
    {
        using var root = await SignedInAsync("chief");
        var fields = token is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["__RequestVerificationToken"] = token };

        using var signOut = await root.PostAsync("/logout", new FormUrlEncodedContent(fields), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        await AssertSignedInAsync(root);
        Assert.DoesNotContain(await _server.Store.ReadAuditAsync(100, Ct), e => e.Action == "sign-out");
    }

    [Fact]
    public async Task TheAuditPage_FiltersByWhoWhatResultAndDay_AndPages()
    {
        Assert.False(await CanSignInAsync("victor", "a wrong password here"));
        using var root = await SignedInAsync("chief");
        using var _ = await PostAsync(root, "/accounts/olga/disable");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var refused = await root.GetStringAsync($"/audit?who=VICTOR&result=refused&from={today}&to={today}", Ct);
        var accounts = await root.GetStringAsync("/audit?action=account", Ct);
        var yesterday = await root.GetStringAsync("/audit?to=" + DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Ct);
        var badDate = await root.GetStringAsync("/audit?from=7.12.2026", Ct);

        Assert.Single(AuditRows().Matches(refused));
        Assert.Contains("<td>victor</td>", refused, StringComparison.Ordinal);
        Assert.Contains("selected=\"\">refused</option>", refused.Replace("selected>", "selected=\"\">", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.All(AuditRows().Matches(accounts), m => Assert.StartsWith("account.", m.Groups["action"].Value, StringComparison.Ordinal));
        Assert.Contains(AuditRows().Matches(accounts), m => m.Groups["action"].Value == "account.disable");
        Assert.Contains("No entries match.", yesterday, StringComparison.Ordinal);
        Assert.Contains("From: expected a date", badDate, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAuditPage_PagesFiftyAtATime_KeepingTheFilter()
    {
        for (var i = 0; i < 60; i++)
        {
            await _server.Store.AppendAuditAsync(new Audit.AuditEntry(DateTimeOffset.UtcNow, "robot", "stack.scale", $"s{i}", "ok", string.Empty), Ct);
        }

        using var root = await SignedInAsync("chief");

        var first = await root.GetStringAsync("/audit?who=robot", Ct);
        var second = await root.GetStringAsync("/audit?who=robot&page=2", Ct);

        Assert.Equal(50, AuditRows().Matches(first).Count);
        Assert.Contains("href=\"/audit?who=robot&amp;page=2\" rel=\"next\"", first, StringComparison.Ordinal);
        Assert.Equal(10, AuditRows().Matches(second).Count);
        Assert.Contains("href=\"/audit?who=robot&amp;page=1\" rel=\"prev\"", second, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", second, StringComparison.Ordinal);
    }

    [GeneratedRegex("id=\"issued\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex IssuedPassword();

    [GeneratedRegex(@"<tr>\s*<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>\s*<td>[^<]*</td>\s*<td>(?<action>[^<]*)</td>")]
    private static partial Regex AuditRows();

    /// <summary>Accounts compare by value, their scope lists included.</summary>
    private sealed class AccountComparer : IEqualityComparer<Account>
    {
        public static readonly AccountComparer Instance = new();

        public bool Equals(Account? x, Account? y) =>
            x is not null && y is not null
                && (x.Name, x.Role, x.PasswordHash, x.SecurityStamp, x.Disabled, x.FailedSignIns, x.LockedUntil) == (y.Name, y.Role, y.PasswordHash, y.SecurityStamp, y.Disabled, y.FailedSignIns, y.LockedUntil)
                && x.Namespaces.SequenceEqual(y.Namespaces) && x.StackPrefixes.SequenceEqual(y.StackPrefixes);

        public int GetHashCode(Account obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
