using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Console.Accounts;
using Berth.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Console.Tests;

/// <summary>
/// The security matrix of issue 13: every endpoint that accepts a change (found through the app's
/// <see cref="EndpointDataSource"/>, so a new one fails <see cref="TheMatrix_ListsEveryEndpointThatAcceptsAChange"/>
/// until it is listed here) is sent (a) without a session, (b) by an account allowed to make the change but with a
/// missing, made-up or another session's antiforgery token, and (c) by each account whose role or scope forbids it.
/// Each must be refused, and nothing may change: the accounts, the audit log (refusals aside, which are audited), the
/// Swarm stack on the real engine (its services' replicas and its history), and the stack a deploy would create.
/// A control row per endpoint shows the allowed account with a valid token gets past these checks, so a refusal
/// above is the check's doing and not a malformed request.
/// </summary>
public sealed class SecurityMatrixTests(SecurityMatrixFixture fixture) : IClassFixture<SecurityMatrixFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Who may make a change: the accounts in <see cref="Refused"/> must be refused.</summary>
    public enum Access
    {
        /// <summary>Signing in: no session needed, the token still is.</summary>
        Anyone,

        /// <summary>Any signed-in account.</summary>
        SignedIn,

        /// <summary>Operators and admins (deploy).</summary>
        Operator,

        /// <summary>Operators and admins, within their scope (a stack's page and its changes).</summary>
        OperatorInScope,

        /// <summary>Admins only (accounts).</summary>
        Admin,
    }

    /// <summary>
    /// One endpoint that accepts a change. <paramref name="Pattern"/> is its route as the endpoint data source names
    /// it; <paramref name="Path"/> and <paramref name="Fields"/> make a request the allowed account could send.
    /// </summary>
    public sealed record Endpoint(string Pattern, Access Access, Func<SecurityMatrixFixture, string> Path, Func<SecurityMatrixFixture, IReadOnlyList<(string Name, string Value)>> Fields)
    {
        /// <summary>A form (urlencoded), multipart (the create page's form) or JSON with the token in a header (the editor's validate call).</summary>
        public BodyKind Body { get; init; } = BodyKind.Form;

        /// <summary>The answer the allowed account gets with a valid token (the control) and, if set, a text the answer must hold.</summary>
        public (HttpStatusCode Status, string? Text) Control { get; init; } = (HttpStatusCode.Redirect, null);
    }

    public enum BodyKind
    {
        Form,
        Multipart,
        Json,
    }

    private static IReadOnlyList<(string, string)> None(SecurityMatrixFixture _) => [];

    private static IReadOnlyList<(string, string)> Review(SecurityMatrixFixture f, string name) =>
        [("_handler", "stack-edit"), ("name", name), ("orchestrator", "swarm"), ("compose", SecurityMatrixFixture.Compose), ("env", string.Empty), ("draft", string.Empty)];

    /// <summary>Every mutating endpoint of berth-console; each must be answered as its row says.</summary>
    public static readonly IReadOnlyDictionary<string, Endpoint> Matrix = new Dictionary<string, Endpoint>
    {
        ["POST /login"] = new("/login", Access.Anyone, _ => "/login", f => [("name", "olga"), ("password", ConsoleServer.Password), ("returnUrl", "/")]),
        ["POST /logout"] = new("/logout", Access.SignedIn, _ => "/logout", None),
        ["POST /api/stacks/validate"] = new("/api/stacks/validate", Access.Operator, _ => "/api/stacks/validate", f => [("name", f.NewStack), ("orchestrator", "swarm"), ("compose", SecurityMatrixFixture.Compose)])
        {
            Body = BodyKind.Json,
            Control = (HttpStatusCode.OK, "\"valid\":true"),
        },
        ["POST /stacks/new"] = new("/stacks/new", Access.Operator, _ => "/stacks/new", f => Review(f, f.NewStack))
        {
            Body = BodyKind.Multipart,
            Control = (HttpStatusCode.OK, "<h2 id=\"review\">Review: "),
        },
        ["POST /stacks/{OrchestratorSlug}/{NamespaceSegment}/{Name}/edit"] = new("/stacks/{OrchestratorSlug}/{NamespaceSegment}/{Name}/edit", Access.OperatorInScope, f => f.Stack.Path + "/edit", f => Review(f, f.Stack.Name))
        {
            Body = BodyKind.Multipart,
            Control = (HttpStatusCode.OK, "<h2 id=\"review\">Review: "),
        },
        // A made-up draft: the control shows the request reaches the draft lookup (the antiforgery and role checks passed).
        ["POST /stacks/deploy"] = new("/stacks/deploy", Access.Operator, _ => "/stacks/deploy", f => [("draft", f.Draft)])
        {
            Control = (HttpStatusCode.BadRequest, "this review has expired"),
        },
        ["POST /stacks/{orchestrator}/{namespace}/{name}/scale"] = new("/stacks/{orchestrator}/{namespace}/{name}/scale", Access.OperatorInScope, f => f.Stack.Path + "/scale", f => [("service", $"{f.Stack.Name}_web"), ("replicas", "2")]),
        // The control asks for a revision that does not exist: refused by the stack service, after the checks.
        ["POST /stacks/{orchestrator}/{namespace}/{name}/rollback"] = new("/stacks/{orchestrator}/{namespace}/{name}/rollback", Access.OperatorInScope, f => f.Stack.Path + "/rollback", f => [("revision", "1")]),
        ["POST /stacks/{orchestrator}/{namespace}/{name}/remove"] = new("/stacks/{orchestrator}/{namespace}/{name}/remove", Access.OperatorInScope, f => f.Stack.Path + "/remove", f => [("confirm", f.Stack.Name)]),
        ["POST /accounts/add"] = new("/accounts/add", Access.Admin, _ => "/accounts/add", f => [("name", "mallory"), ("role", "admin"), ("password", "a password of mallory's"), ("namespaces", string.Empty), ("prefixes", string.Empty)]),
        ["POST /accounts/{name}/role"] = new("/accounts/{name}/role", Access.Admin, _ => "/accounts/target/role", f => [("role", "admin")]),
        ["POST /accounts/{name}/scope"] = new("/accounts/{name}/scope", Access.Admin, _ => "/accounts/target/scope", f => [("namespaces", string.Empty), ("prefixes", "x-")]),
        ["POST /accounts/{name}/disable"] = new("/accounts/{name}/disable", Access.Admin, _ => "/accounts/target/disable", None),
        ["POST /accounts/{name}/enable"] = new("/accounts/{name}/enable", Access.Admin, _ => "/accounts/target/enable", None),
        ["POST /accounts/{name}/unlock"] = new("/accounts/{name}/unlock", Access.Admin, _ => "/accounts/target/unlock", None),
        ["POST /accounts/{name}/password"] = new("/accounts/{name}/password", Access.Admin, _ => "/accounts/target/password", f => [("password", "a password of mallory's")]),
        // A node that does not exist: the control reaches the lookup (nothing to label) after the checks.
        ["POST /resources/nodes/{name}/orchestrator"] = new("/resources/nodes/{name}/orchestrator", Access.Admin, _ => "/resources/nodes/no-such-node/orchestrator", _ => [("orchestrator", "kubernetes")]),
    };

    public static TheoryData<string> Rows() => [.. Matrix.Keys.Order(StringComparer.Ordinal)];

    public static TheoryData<string> SignedInRows() => [.. Matrix.Where(r => r.Value.Access != Access.Anyone).Select(r => r.Key).Order(StringComparer.Ordinal)];

    public static TheoryData<string, string> RoleRows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var (key, endpoint) in Matrix.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            foreach (var account in Refused(endpoint.Access))
            {
                rows.Add(key, account);
            }
        }

        return rows;
    }

    /// <summary>The accounts that must not make a change of this kind: roles below it, and an operator scoped to other stacks.</summary>
    private static string[] Refused(Access access) => access switch
    {
        Access.Operator => ["victor"],
        Access.OperatorInScope => ["victor", "scoped"],
        Access.Admin => ["victor", "olga", "scoped"],
        _ => [],
    };

    /// <summary>The account that may make the change: it sends the forged requests and the control.</summary>
    private static string Allowed(Access access) => access == Access.Admin ? "chief" : "olga";

    [Fact]
    public void TheMatrix_ListsEveryEndpointThatAcceptsAChange()
    {
        var sources = fixture.Console.Server.Services.GetRequiredService<EndpointDataSource>();
        var mutating = sources.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Where(m => m is not ("GET" or "HEAD" or "OPTIONS"))
                .Select(m => $"{m} {Normalize(e.RoutePattern.RawText)}"))
            .Where(e => !SecurityMatrixFixture.Pages.ContainsKey(e))
            .ToHashSet(StringComparer.Ordinal);

        var unlisted = mutating.Except(Matrix.Keys).Order(StringComparer.Ordinal).ToList();
        var stale = Matrix.Keys.Except(mutating).Order(StringComparer.Ordinal).ToList();
        Assert.True(unlisted.Count == 0 && stale.Count == 0, $"endpoints accepting a change but not in the matrix: [{string.Join(", ", unlisted)}]; rows without an endpoint: [{string.Join(", ", stale)}]");
    }

    /// <summary>
    /// The pages: the framework maps every Razor page for POST too (a form handler may be on it), so each is posted
    /// without a session (sent to sign in) and by an admin with a made-up token (400). The create page's form and
    /// the confirmation pages' forms are rows of <see cref="Matrix"/>.
    /// </summary>
    [Fact]
    public async Task EveryPage_PostedWithoutASessionOrWithAForgedToken_IsRefused_AndNothingChanges()
    {
        using var anonymous = fixture.Client();
        var anonymousToken = await ConsoleServer.FormTokenAsync(anonymous, "/login", Ct);
        using var chief = await fixture.SignedInAsync("chief", Ct);
        var before = await fixture.SnapshotAsync(Ct);
        foreach (var (pattern, path) in SecurityMatrixFixture.Pages)
        {
            var sample = path(fixture);
            using var visitor = await anonymous.PostAsync(sample, Encode([], anonymousToken), Ct);
            AssertSentToSignIn(visitor, $"{pattern} ({sample})");
            using var forged = await chief.PostAsync(sample, Encode([], "CfDJ8" + new string('A', 80)), Ct);
            Assert.True(forged.StatusCode == HttpStatusCode.BadRequest, $"{pattern} ({sample}) with a made-up token: {(int)forged.StatusCode} {forged.Headers.Location}");
        }

        Assert.Equal(before, await fixture.SnapshotAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(SignedInRows))]
    public async Task WithoutASession_TheChangeIsSentToSignIn_AndNothingChanges(string row)
    {
        var endpoint = Matrix[row];
        using var client = fixture.Client();
        // A valid token of the anonymous session: what is refused is the missing session, not the token.
        var token = await ConsoleServer.FormTokenAsync(client, "/login", Ct);
        var before = await fixture.SnapshotAsync(Ct);

        using var answer = await SendAsync(client, endpoint, token);

        if (answer.StatusCode != HttpStatusCode.Unauthorized)
        {
            AssertSentToSignIn(answer, row);
        }

        Assert.Equal(before, await fixture.SnapshotAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task WithAMissingMadeUpOrStolenToken_TheChangeIs400_AndNothingChanges(string row)
    {
        var endpoint = Matrix[row];
        var account = Allowed(endpoint.Access);
        using var client = endpoint.Access == Access.Anyone ? fixture.Client() : await fixture.SignedInAsync(account, Ct);
        using var other = await fixture.SignedInAsync("chief", Ct);
        var stolen = await ConsoleServer.FormTokenAsync(other, "/stacks", Ct);
        if (endpoint.Access == Access.Anyone)
        {
            // The login form's cookie pair exists, so the token is what is checked.
            await ConsoleServer.FormTokenAsync(client, "/login", Ct);
        }

        foreach (var (what, token) in new (string, string?)[] { ("missing", null), ("made up", "CfDJ8" + new string('A', 80)), ("another session's", stolen) })
        {
            var before = await fixture.SnapshotAsync(Ct);

            using var answer = await SendAsync(client, endpoint, token);

            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{row} by {account} with a {what} token: {(int)answer.StatusCode} {answer.Headers.Location}");
            Assert.Null(answer.Headers.Location);
            Assert.Equal(before, await fixture.SnapshotAsync(Ct));
        }

        if (endpoint.Access != Access.Anyone)
        {
            await fixture.AssertStillSignedInAsync(client, Ct);
        }
    }

    [Theory]
    [MemberData(nameof(RoleRows))]
    public async Task ByAnAccountWhoseRoleOrScopeForbidsIt_TheChangeIsRefused_AndNothingChanges(string row, string account)
    {
        var endpoint = Matrix[row];
        using var client = await fixture.SignedInAsync(account, Ct);
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks", Ct);
        var before = await fixture.SnapshotAsync(Ct);

        using var answer = await SendAsync(client, endpoint, token);

        var status = (int)answer.StatusCode;
        // A role check made by the framework's authorization answers a page request as the cookie scheme forbids:
        // a redirect to /denied (the page that says so), with nothing run.
        var deniedPage = answer.StatusCode == HttpStatusCode.Redirect && LocalPath(answer).StartsWith("/denied", StringComparison.Ordinal);
        var expected = (account, endpoint.Access, endpoint.Body) switch
        {
            // A stack outside the scope is answered as a missing one (404), so its existence is not revealed
            // (docs/design/console.md, Stack page).
            ("scoped", Access.OperatorInScope, not BodyKind.Multipart) => 404,
            // The edit form of a stack outside the scope: refused as its deploy would be (403, audited; see below).
            ("scoped", Access.OperatorInScope, BodyKind.Multipart) => 403,
            // olga's draft is not the scoped account's: "this review has expired" (400), nothing deployed.
            ("scoped", Access.Operator, BodyKind.Form) => 400,
            _ => 403,
        };
        Assert.True(status == expected || (expected == 403 && deniedPage), $"{row} by {account}: {status} {answer.Headers.Location}, expected {expected}");
        Assert.Equal(before with { Audit = [] }, (await fixture.SnapshotAsync(Ct)) with { Audit = [] });
        Assert.All((await fixture.SnapshotAsync(Ct)).Audit.Except(before.Audit), added => Assert.EndsWith("|refused", added, StringComparison.Ordinal));
    }

    /// <summary>
    /// A scoped operator's review of a stack outside its scope, through the edit page's form (the stack in the path)
    /// or the create page's (the name in the form): 403, audited as the deploy endpoint audits it, nothing reviewed.
    /// </summary>
    [Theory]
    [InlineData("edit")]
    [InlineData("new")]
    public async Task AScopedOperatorsReviewOfAStackOutsideItsScope_Is403_AuditedAsRefused(string form)
    {
        using var client = await fixture.SignedInAsync("scoped", Ct);
        var token = await ConsoleServer.FormTokenAsync(client, "/stacks", Ct);
        var before = await fixture.SnapshotAsync(Ct);
        var endpoint = form == "edit" ? Matrix["POST /stacks/{OrchestratorSlug}/{NamespaceSegment}/{Name}/edit"] : Matrix["POST /stacks/new"];

        using var answer = await SendAsync(client, endpoint, token);

        var body = await answer.Content.ReadAsStringAsync(Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.Forbidden, $"{(int)answer.StatusCode}\n{body}");
        Assert.Contains("outside your account", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2 id=\"review\">", body, StringComparison.Ordinal);
        var target = form == "edit" ? fixture.Stack.Path : $"/stacks/swarm/_/{fixture.NewStack}";
        var after = await fixture.SnapshotAsync(Ct);
        var added = Assert.Single(after.Audit.Except(before.Audit));
        Assert.EndsWith($"|scoped|stack.deploy|{target}|refused", added, StringComparison.Ordinal);
        var entry = (await fixture.Console.Server.Store.ReadAuditAsync(1, Ct))[0];
        Assert.Equal("outside the account's scope", entry.Detail);
        Assert.Equal(before with { Audit = [] }, after with { Audit = [] });
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task TheControl_TheAllowedAccountWithAValidToken_GetsPastTheChecks(string row)
    {
        var endpoint = Matrix[row];
        var account = Allowed(endpoint.Access);
        using var client = endpoint.Access == Access.Anyone ? fixture.Client() : await fixture.SignedInAsync(account, Ct);
        var token = await ConsoleServer.FormTokenAsync(client, endpoint.Access == Access.Anyone ? "/login" : "/stacks", Ct);
        var control = endpoint with { Fields = fixture.ControlFields(row, endpoint.Fields) };

        using var answer = await SendAsync(client, control, token);

        var body = await answer.Content.ReadAsStringAsync(Ct);
        Assert.True(answer.StatusCode == endpoint.Control.Status, $"{row} by {account}: {(int)answer.StatusCode} {answer.Headers.Location}\n{body}");
        var location = LocalPath(answer);
        Assert.False(location.StartsWith("/denied", StringComparison.Ordinal) || (location.StartsWith("/login", StringComparison.Ordinal) && row != "POST /logout"), $"{row}: {location}");
        if (endpoint.Control.Text is { } text)
        {
            Assert.Contains(text, body, StringComparison.Ordinal);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient client, Endpoint endpoint, string? token)
    {
        var fields = endpoint.Fields(fixture);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Path(fixture));
        switch (endpoint.Body)
        {
            case BodyKind.Json:
                var json = "{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{System.Text.Json.JsonSerializer.Serialize(f.Value)}")) + "}";
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                if (token is not null)
                {
                    request.Headers.Add("RequestVerificationToken", token);
                }

                break;
            case BodyKind.Multipart:
                var multipart = new MultipartFormDataContent();
                foreach (var (name, value) in token is null ? fields : [("__RequestVerificationToken", token), .. fields])
                {
                    multipart.Add(new StringContent(value), name);
                }

                request.Content = multipart;
                break;
            default:
                request.Content = Encode(fields, token);
                break;
        }

        return await client.SendAsync(request, Ct);
    }

    private static FormUrlEncodedContent Encode(IReadOnlyList<(string Name, string Value)> fields, string? token) =>
        new([.. (token is null ? fields : [("__RequestVerificationToken", token), .. fields]).Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);

    private static void AssertSentToSignIn(HttpResponseMessage answer, string what)
    {
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"{what} without a session: {(int)answer.StatusCode}");
        Assert.StartsWith("/login", LocalPath(answer), StringComparison.Ordinal);
    }

    /// <summary>The redirect's path and query (the cookie scheme's redirects are absolute, the endpoints' local).</summary>
    private static string LocalPath(HttpResponseMessage answer) =>
        answer.Headers.Location is not { } location ? string.Empty
        : location.IsAbsoluteUri ? location.PathAndQuery
        : location.OriginalString;

    private static string Normalize(string? pattern) => "/" + (pattern ?? string.Empty).TrimStart('/');
}

/// <summary>
/// The console the matrix runs against: its accounts (chief admin, olga operator, victor viewer, scoped an operator
/// limited to <c>shop-</c> stacks, target an account the admin actions aim at), a busybox stack on the real Swarm
/// engine (deployed with image resolution off), and a draft olga reviewed for a stack nobody deploys.
/// </summary>
public sealed class SecurityMatrixFixture : IAsyncLifetime
{
    internal const string Compose = """
        services:
          web:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
        """;

    /// <summary>
    /// The Razor pages, which accept POST only because the framework maps every page for it, with a path to post to;
    /// none binds a form (the create page's, which does, is a row of the matrix). A new page must be added here, and a
    /// page that takes a form must become a row instead.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, Func<SecurityMatrixFixture, string>> Pages = new Dictionary<string, Func<SecurityMatrixFixture, string>>
    {
        ["POST /"] = _ => "/",
        ["POST /stacks"] = _ => "/stacks",
        ["POST /audit"] = _ => "/audit",
        ["POST /resources"] = _ => "/resources",
        ["POST /denied"] = _ => "/denied",
        ["POST /accounts"] = _ => "/accounts",
        ["POST /accounts/{Name}"] = _ => "/accounts/target",
        ["POST /stacks/{Orchestrator}/{NamespaceSegment}/{Name}"] = f => f.Stack.Path,
        ["POST /stacks/{Orchestrator}/{NamespaceSegment}/{Name}/logs"] = f => f.Stack.Path + "/logs",
        ["POST /stacks/{Orchestrator}/{NamespaceSegment}/{Name}/history/diff"] = f => f.Stack.Path + "/history/diff",
        ["POST /stacks/{OrchestratorSlug}/{NamespaceSegment}/{Name}/deploy"] = f => f.Stack.Path + "/deploy",
        // The confirmation pages share their path with the form endpoints (rows of the matrix) that take the POST.
        ["POST /stacks/{Orchestrator}/{NamespaceSegment}/{Name}/remove"] = f => f.Stack.Path + "/remove",
        ["POST /stacks/{Orchestrator}/{NamespaceSegment}/{Name}/rollback"] = f => f.Stack.Path + "/rollback",
    };

    private StackConsole? _console;

    internal StackConsole Console => _console!;

    internal SwarmTestStack Stack => Console.Stack;

    /// <summary>A stack name no test deploys: the deploy rows must leave it absent.</summary>
    internal string NewStack { get; } = $"secnew{Guid.NewGuid():N}"[..18];

    /// <summary>olga's reviewed draft of <see cref="NewStack"/>.</summary>
    internal string Draft { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _console = await StackConsole.StartAsync("secm-", Compose, [("chief", ConsoleRole.Admin), ("olga", ConsoleRole.Operator), ("victor", ConsoleRole.Viewer), ("scoped", ConsoleRole.Operator), ("target", ConsoleRole.Viewer)], ct);
        using var olga = await SignedInAsync("olga", ct);
        var (status, page) = await DeployForm.ReviewAsync(olga, NewStack, Compose, ct);
        Assert.True(status == HttpStatusCode.OK, page);
        Draft = DeployForm.DraftOf(page);
    }

    public async ValueTask DisposeAsync()
    {
        ToolProcess.Run("/usr/bin/docker", ["stack", "rm", NewStack], withoutAmbient: true);
        if (_console is not null)
        {
            await _console.DisposeAsync();
        }
    }

    private int _clients;

    /// <summary>
    /// A browser-like client (own cookies, redirects not followed) connecting from its own loopback address
    /// (127.0.0.2 and up): the matrix signs in far more often than the per-address sign-in limit allows in a minute.
    /// </summary>
    internal HttpClient Client()
    {
        var source = IPAddress.Parse($"127.0.{1 + (Interlocked.Increment(ref _clients) / 250)}.{2 + (_clients % 250)}");
        var handler = new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Console.Server.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    internal async Task<HttpClient> SignedInAsync(string name, CancellationToken cancellationToken)
    {
        var client = Client();
        using var answer = await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, cancellationToken);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
        return client;
    }

    internal async Task AssertStillSignedInAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var page = await client.GetAsync("/stacks", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    /// <summary>
    /// The control's fields: the same request made harmless where the row's would change what the other rows
    /// compare (scale to the replicas it has, remove with a wrong name, roll back to a revision that does not exist,
    /// deploy a made-up draft); the admin actions aim at <c>target</c> and a throwaway account.
    /// </summary>
    internal Func<SecurityMatrixFixture, IReadOnlyList<(string Name, string Value)>> ControlFields(string row, Func<SecurityMatrixFixture, IReadOnlyList<(string Name, string Value)>> fields) => row switch
    {
        "POST /stacks/{orchestrator}/{namespace}/{name}/scale" => f => [("service", $"{f.Stack.Name}_web"), ("replicas", "1")],
        "POST /stacks/{orchestrator}/{namespace}/{name}/remove" => f => [("confirm", "not-" + f.Stack.Name)],
        "POST /stacks/{orchestrator}/{namespace}/{name}/rollback" => _ => [("revision", "99")],
        "POST /stacks/deploy" => _ => [("draft", "made-up")],
        "POST /accounts/add" => _ => [("name", $"ctl{Guid.NewGuid():N}"[..12]), ("role", "viewer"), ("password", "a password for the control"), ("namespaces", string.Empty), ("prefixes", string.Empty)],
        "POST /accounts/{name}/role" => _ => [("role", "viewer")],
        "POST /accounts/{name}/scope" => _ => [("namespaces", string.Empty), ("prefixes", string.Empty)],
        "POST /accounts/{name}/password" => _ => [("password", "a password for the control")],
        _ => fields,
    };

    /// <summary>What a refused change must leave as it was.</summary>
    internal async Task<WorldSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var accounts = (await Console.Server.Store.ListAccountsAsync(cancellationToken))
            .Select(a => $"{a.Name}|{a.Role}|{a.PasswordHash}|{a.SecurityStamp}|{a.Disabled}|{a.LockedUntil}|{string.Join(',', a.Namespaces)}|{string.Join(',', a.StackPrefixes)}")
            .Order(StringComparer.Ordinal);
        var audit = (await Console.Server.Store.ReadAuditAsync(1000, cancellationToken)).Select(e => $"{e.At:O}|{e.Actor}|{e.Action}|{e.Target}|{e.Result}");
        var services = (await Stack.Service.ServicesAsync(Stack.Name, [], cancellationToken)).Select(s => $"{s.Name}={s.Replicas.Desired}");
        var history = await Stack.Service.HistoryAsync(Stack.Name, cancellationToken);
        var created = await Stack.Service.ServicesAsync(NewStack, [], cancellationToken);
        return new WorldSnapshot(
            string.Join("\n", accounts),
            [.. audit],
            string.Join(",", services),
            history.Revisions.Length,
            created.Length);
    }
}

/// <summary>
/// The state a refused request must not change. Audit keeps the entries (compared as a list by the role test, which
/// allows refusals to be added); the record's equality compares the list's text.
/// </summary>
internal sealed record WorldSnapshot(string Accounts, IReadOnlyList<string> Audit, string StackServices, int Revisions, int NewStackServices)
{
    public bool Equals(WorldSnapshot? other) =>
        other is not null && Accounts == other.Accounts && Audit.SequenceEqual(other.Audit) && StackServices == other.StackServices && Revisions == other.Revisions && NewStackServices == other.NewStackServices;

    public override int GetHashCode() => HashCode.Combine(Accounts, Audit.Count, StackServices, Revisions, NewStackServices);

    public override string ToString() => $"accounts:\n{Accounts}\naudit:\n{string.Join("\n", Audit)}\nstack: {StackServices}, {Revisions} revision(s); new stack: {NewStackServices} service(s)";
}
