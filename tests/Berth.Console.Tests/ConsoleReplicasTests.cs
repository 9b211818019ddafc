using System.Net;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// Two console replicas (two real hosts, as behind a load balancer) on one real PostgreSQL (<see cref="PostgresServer"/>):
/// a session and a form token from one are good on the other (the Data Protection key ring is in the database),
/// an account disabled through one is signed out on the other at its next request, and both write one audit log.
/// </summary>
public sealed class ConsoleReplicasTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private ConsoleServer _a = null!;
    private ConsoleServer _b = null!;
    private string _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await postgres.NewDatabaseAsync(Ct);
        // Both start at once: the migration runs once under PostgreSQL's advisory lock.
        var started = await Task.WhenAll(ConsoleServer.StartAsync(Ct, _database), ConsoleServer.StartAsync(Ct, _database));
        (_a, _b) = (started[0], started[1]);
        await _a.AddAccountAsync("alice", ConsoleRole.Admin, cancellationToken: Ct);
        await _b.AddAccountAsync("victor", ConsoleRole.Viewer, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task ASessionFromReplicaA_WorksOnReplicaB_AndSoDoesItsFormToken()
    {
        // Cookies belong to the host, not the port: one container is one browser talking to both replicas.
        var cookies = new CookieContainer();
        using var onA = _a.Client(cookies);
        using var onB = _b.Client(cookies);
        (await ConsoleServer.SignInAsync(onA, "alice", ConsoleServer.Password, Ct)).Dispose();
        var tokenFromA = await ConsoleServer.FormTokenAsync(onA, "/accounts", Ct);

        using var page = await onB.GetAsync("/accounts", Ct);
        using var change = await onB.PostAsync("/accounts/victor/role", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = tokenFromA, ["role"] = "operator" }), Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(">victor</a>", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("/accounts/victor?done=role", change.Headers.Location?.OriginalString);
        Assert.Equal(ConsoleRole.Operator, (await _a.Store.FindAccountAsync("victor", Ct))!.Role);
    }

    [Fact]
    public async Task AnAccountDisabledThroughA_IsSignedOutOnB_AtItsNextRequest_AndBothAreInOneAuditLog()
    {
        using var admin = _a.Client();
        using var victor = _b.Client();
        (await ConsoleServer.SignInAsync(admin, "alice", ConsoleServer.Password, Ct)).Dispose();
        (await ConsoleServer.SignInAsync(victor, "victor", ConsoleServer.Password, Ct)).Dispose();
        using (var before = await victor.GetAsync("/stacks", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var token = await ConsoleServer.FormTokenAsync(admin, "/accounts", Ct);
        using var disable = await admin.PostAsync("/accounts/victor/disable", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);
        using var after = await victor.GetAsync("/stacks", Ct);

        Assert.Equal("/accounts/victor?done=disabled", disable.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        // One log: B's sign-in of victor and A's disable are read back through either replica.
        foreach (var store in new[] { _a.Store, _b.Store })
        {
            var audit = await store.ReadAuditAsync(50, Ct);
            Assert.Contains(audit, e => e is { Actor: "victor", Action: "sign-in", Result: "ok" });
            Assert.Contains(audit, e => e is { Actor: "alice", Action: "account.disable", Target: "victor", Result: "ok" });
        }

        var page = await admin.GetStringAsync("/audit?who=victor", Ct);
        Assert.Contains("<td>sign-in</td>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsersAddWithDatabase_WritesToPostgres_AndNeverPrintsThePassword()
    {
        var data = Directory.CreateTempSubdirectory("berth-console-cli-").FullName;
        try
        {
            var result = ToolProcess.Run(
                "dotnet",
                [Path.Combine(AppContext.BaseDirectory, "berth-console.dll"), "users", "add", "carol", "--role", "operator", "--data-dir", data, "--database", _database],
                input: ConsoleServer.Password + "\n",
                timeout: TimeSpan.FromSeconds(90));
            var bad = ToolProcess.Run(
                "dotnet",
                [Path.Combine(AppContext.BaseDirectory, "berth-console.dll"), "users", "add", "dave", "--role", "operator", "--data-dir", data, "--database", $"Host=127.0.0.1;Password={postgres.Password};Bogus Key=1"],
                input: ConsoleServer.Password + "\n",
                timeout: TimeSpan.FromSeconds(90));

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("account carol (operator) added to PostgreSQL database t", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("on 127.0.0.1:", result.Stdout, StringComparison.Ordinal);
            Assert.Equal(ConsoleRole.Operator, (await _b.Store.FindAccountAsync("carol", Ct))!.Role);
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("--database: not a PostgreSQL connection string", bad.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(postgres.Password, result.ToString() + bad, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
