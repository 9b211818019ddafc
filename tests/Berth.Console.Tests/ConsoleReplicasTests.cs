using System.Net;
using Berth.Console.Accounts;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// Two console replicas (two real hosts, as behind a load balancer) on one real PostgreSQL (<see cref="PostgresServer"/>):
/// a session and a form token from one are good on the other (the Data Protection key ring is in the database),
/// an account disabled through one is signed out on the other at its next request, and both write one audit log; a
/// review made on one is deployed (on the real Swarm engine) through the other, and the deploy's result is read on both.
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
        await _a.AddAccountAsync("olga", ConsoleRole.Operator, cancellationToken: Ct);
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

    /// <summary>
    /// Without sticky sessions: the review (and its uploaded file) is made on A, the deploy posted to B, the result read
    /// on A (page and event stream, which A serves from the store, as B runs the job); a second deploy of the stack
    /// through A while B's runs is refused (409) by the store.
    /// </summary>
    [Fact]
    public async Task AReviewMadeOnA_IsDeployedThroughB_AndTheResultIsReadOnA()
    {
        var name = $"replica{Guid.NewGuid():N}"[..18];
        var path = $"/stacks/swarm/_/{name}";
        const string Compose = "services:\n  web:\n    image: berth-test/busybox:1\n    command: [\"sleep\", \"3600\"]\n    configs: [settings]\nconfigs:\n  settings:\n    file: ./settings.txt\n";
        var cookies = new CookieContainer();
        using var onA = _a.Client(cookies);
        using var onB = _b.Client(cookies);
        (await ConsoleServer.SignInAsync(onA, "olga", ConsoleServer.Password, Ct)).Dispose();
        try
        {
            var (status, review) = await DeployForm.ReviewAsync(onA, name, Compose, Ct, files: [("resources", "settings.txt", "mode = fast\n")]);
            Assert.True(status == HttpStatusCode.OK, review);
            var draft = DeployForm.DraftOf(review);

            using var deploy = await DeployForm.DeployAsync(onB, draft, Ct);
            Assert.True(deploy.StatusCode == HttpStatusCode.Redirect, $"{(int)deploy.StatusCode} {await deploy.Content.ReadAsStringAsync(Ct)}");
            Assert.Equal(path + "/deploy", deploy.Headers.Location?.OriginalString);
            using (var again = await DeployForm.DeployAsync(onA, draft, Ct))
            {
                // B's job is still running (it waits for convergence and 5 s of stability) or has just ended.
                var stored = await _a.Store.FindDeployJobAsync(path, Ct);
                Assert.True(again.StatusCode == HttpStatusCode.Conflict || stored?.FinishedAt is not null, $"a second deploy through A while B's runs: {(int)again.StatusCode}");
            }

            var events = await DeployForm.EventsUntilDoneAsync(onA, path, TimeSpan.FromMinutes(3), Ct);

            var done = events[^1];
            Assert.True(done.GetProperty("converged").GetBoolean(), done.ToString());
            Assert.Contains(events, e => e.GetProperty("kind").GetString() == "progress");
            var page = await onA.GetStringAsync(path + "/deploy", Ct);
            Assert.Contains("deployed: every service converged", page, StringComparison.Ordinal);
            Assert.Contains("Started by olga", page, StringComparison.Ordinal);
            Assert.Contains(await _b.Store.ReadAuditAsync(50, Ct), e => e is { Actor: "olga", Action: "stack.deploy", Result: "ok" } && e.Target == path);
        }
        finally
        {
            ToolProcess.Run("/usr/bin/docker", ["stack", "rm", name], withoutAmbient: true);
        }
    }

    /// <summary>
    /// A job the store holds as started 11 minutes ago and never finished (its replica stopped mid-deploy): the page on
    /// either replica ends it as failed with that reason instead of waiting for it, and a new deploy of the stack may start.
    /// </summary>
    [Fact]
    public async Task AJobAbandonedByAStoppedReplica_IsShownAsFailed_AndDoesNotBlockTheNextDeploy()
    {
        var path = $"/stacks/swarm/_/gone{Guid.NewGuid():N}"[..30];
        var startedAt = DateTimeOffset.UtcNow.AddMinutes(-11);
        Assert.True(await _a.Store.StartDeployJobAsync(new State.StoredDeployJob(path, "lost-job", "olga", startedAt, null, "[]"), startedAt.AddMinutes(-10), Ct));
        using var onB = _b.Client();
        (await ConsoleServer.SignInAsync(onB, "olga", ConsoleServer.Password, Ct)).Dispose();

        var page = WebUtility.HtmlDecode(await onB.GetStringAsync(path + "/deploy", Ct));

        Assert.Contains("failed: the console replica running this deploy stopped before it ended", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Another console replica runs this deploy", page, StringComparison.Ordinal);
        Assert.True(await _b.Store.StartDeployJobAsync(new State.StoredDeployJob(path, "next-job", "olga", DateTimeOffset.UtcNow, null, "[]"), DateTimeOffset.UtcNow - Stacks.DeployJobs.AbandonedAfter, Ct));
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
