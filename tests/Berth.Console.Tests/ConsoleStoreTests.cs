using Berth.Console.Accounts;
using Berth.Console.Audit;
using Berth.Console.State;
using Berth.StackService;

namespace Berth.Console.Tests;

/// <summary>
/// The console store on both engines, each test a theory over the store kind: SQLite (a real file) and PostgreSQL (a
/// real server from Debian's packages, a fresh database per test: <see cref="PostgresServer"/>); and the account scope rule.
/// </summary>
public sealed class ConsoleStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("berth-console-store-").FullName;
    private string? _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>A store of that kind; each call opens another store on the same database, as a second replica would.</summary>
    private async Task<IConsoleStore> OpenAsync(string kind)
    {
        if (kind == "sqlite")
        {
            return SqliteConsoleStore.InDataDirectory(_data);
        }

        _database ??= await postgres.NewDatabaseAsync(Ct);
        return new PostgresConsoleStore(_database);
    }

    private async Task<IConsoleStore> MigratedAsync(string kind)
    {
        var store = await OpenAsync(kind);
        await store.MigrateAsync(Ct);
        return store;
    }

    private static Account Account(string name, ConsoleRole role = ConsoleRole.Viewer) =>
        new(name, role, "hash", "stamp", Disabled: false, FailedSignIns: 0, LockedUntil: null, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Migrating_AgainAndFromASecondStore_KeepsTheData(string kind)
    {
        using (var first = await MigratedAsync(kind))
        {
            Assert.True(await first.AddAccountAsync(Account("alice") with { Namespaces = ["shop"], StackPrefixes = ["web-", "api-"] }, Ct));
        }

        using var second = await MigratedAsync(kind);
        await second.MigrateAsync(Ct);

        var alice = await second.FindAccountAsync("Alice", Ct);
        Assert.NotNull(alice);
        Assert.Equal(["shop"], alice.Namespaces);
        Assert.Equal(["api-", "web-"], alice.StackPrefixes);
        Assert.False(await second.AddAccountAsync(Account("ALICE"), Ct));
        Assert.Single(await second.ListAccountsAsync(Ct));
    }

    [Fact]
    public async Task FourReplicasMigratingOnePostgresAtOnce_ApplyEachStepOnce()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenAsync("postgresql")));
        try
        {
            // Without the advisory lock, the losers fail on "relation already exists" or a duplicate version.
            await Task.WhenAll(stores.Select(s => s.MigrateAsync(Ct)));

            await using var connection = new Npgsql.NpgsqlConnection(_database);
            await connection.OpenAsync(Ct);
            await using var command = new Npgsql.NpgsqlCommand("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations", connection);
            Assert.Equal(string.Join(",", Schema.Steps(SqlDialect.PostgreSql).Select(s => s.Version)), await command.ExecuteScalarAsync(Ct));
        }
        finally
        {
            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task TheAuditLog_ReadsNewestFirst_UpToTheLimit(string kind)
    {
        using var store = await MigratedAsync(kind);
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAuditAsync(new AuditEntry(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + i), "alice", "stack.deploy", $"web-{i}", "ok", string.Empty), Ct);
        }

        var entries = await store.ReadAuditAsync(3, Ct);

        Assert.Equal(["web-4", "web-3", "web-2"], entries.Select(e => e.Target));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task TheAuditQuery_FiltersByWhoWhatResultAndTime_AndPages(string kind)
    {
        using var store = await MigratedAsync(kind);
        var start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        (string Actor, string Action, string Result)[] rows =
        [
            ("alice", "account.add", "ok"), ("Bob", "sign-in", "refused"), ("bob", "account.role", "ok"), ("alice", "accounts", "ok"),
            ("bob", "stack.deploy", "failed"), ("bob", "account.disable", "refused"), ("alice", "sign-in", "ok"),
        ];
        for (var i = 0; i < rows.Length; i++)
        {
            await store.AppendAuditAsync(new AuditEntry(start.AddHours(i), rows[i].Actor, rows[i].Action, $"t{i}", rows[i].Result, string.Empty), Ct);
        }

        async Task<string> Targets(AuditQuery query) => string.Join(",", (await store.QueryAuditAsync(query, Ct)).Entries.Select(e => e.Target));

        Assert.Equal("t5,t4,t2,t1", await Targets(new AuditQuery("BOB", null, null, null, null, 0, 10)));
        // "account" is the family account.*, not any action starting so ("accounts").
        Assert.Equal("t5,t2,t0", await Targets(new AuditQuery(null, "account", null, null, null, 0, 10)));
        Assert.Equal("t5,t1", await Targets(new AuditQuery(null, null, "refused", null, null, 0, 10)));
        Assert.Equal("t3,t2", await Targets(new AuditQuery(null, null, null, start.AddHours(2), start.AddHours(4), 0, 10)));
        Assert.Equal("t5,t2", await Targets(new AuditQuery("bob", "account", null, start.AddHours(1), null, 0, 10)));
        var first = await store.QueryAuditAsync(new AuditQuery(null, null, null, null, null, 0, 3), Ct);
        var last = await store.QueryAuditAsync(new AuditQuery(null, null, null, null, null, 6, 3), Ct);
        Assert.Equal(["t6", "t5", "t4"], first.Entries.Select(e => e.Target));
        Assert.True(first.HasMore);
        Assert.Equal(["t0"], last.Entries.Select(e => e.Target));
        Assert.False(last.HasMore);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task ASignInRecord_KeepsTheFailures_AndReplacesTheHashOnlyWhenGiven(string kind)
    {
        using var store = await MigratedAsync(kind);
        await store.AddAccountAsync(Account("alice"), Ct);
        var until = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);

        await store.RecordSignInAsync("alice", 3, until, null, Ct);
        var locked = await store.FindAccountAsync("alice", Ct);
        await store.RecordSignInAsync("alice", 0, null, "rehashed", Ct);
        var rehashed = await store.FindAccountAsync("alice", Ct);

        Assert.Equal((3, until, "hash"), (locked!.FailedSignIns, locked.LockedUntil, locked.PasswordHash));
        Assert.Equal((0, (DateTimeOffset?)null, "rehashed"), (rehashed!.FailedSignIns, rehashed.LockedUntil, rehashed.PasswordHash));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task AnUpdate_ReplacesRoleScopeAndStamp_ButNeverLeavesNoEnabledAdmin(string kind)
    {
        using var store = await MigratedAsync(kind);
        await store.AddAccountAsync(Account("root", ConsoleRole.Admin), Ct);
        await store.AddAccountAsync(Account("olga", ConsoleRole.Operator) with { StackPrefixes = ["old-"] }, Ct);
        var olga = (await store.FindAccountAsync("olga", Ct))!;

        var changed = await store.UpdateAccountAsync(olga with { Role = ConsoleRole.Admin, SecurityStamp = "new", Namespaces = ["shop"], StackPrefixes = [], LockedUntil = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000) }, Ct);
        var missing = await store.UpdateAccountAsync(Account("nobody"), Ct);
        var root = (await store.FindAccountAsync("root", Ct))!;
        var demoteRoot = await store.UpdateAccountAsync(root with { Role = ConsoleRole.Viewer }, Ct);
        olga = (await store.FindAccountAsync("olga", Ct))!;
        var disableLast = await store.UpdateAccountAsync(olga with { Disabled = true }, Ct);
        var demoteLast = await store.UpdateAccountAsync(olga with { Role = ConsoleRole.Operator, StackPrefixes = ["lost-"] }, Ct);

        Assert.Equal((AccountUpdate.Updated, AccountUpdate.NotFound, AccountUpdate.Updated), (changed, missing, demoteRoot));
        Assert.Equal((AccountUpdate.NoEnabledAdminLeft, AccountUpdate.NoEnabledAdminLeft), (disableLast, demoteLast));
        var after = (await store.FindAccountAsync("olga", Ct))!;
        Assert.Equal((ConsoleRole.Admin, "new", false), (after.Role, after.SecurityStamp, after.Disabled));
        Assert.Equal(["shop"], after.Namespaces);
        Assert.Empty(after.StackPrefixes);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000), after.LockedUntil);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task ADeployJob_RunsOnceAcrossStores_IsReplacedWhenFinishedOrAbandoned_AndItsEndIsReadByAnother(string kind)
    {
        using var first = await MigratedAsync(kind);
        using var second = await MigratedAsync(kind);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        StoredDeployJob Job(string id, DateTimeOffset started) => new("/stacks/swarm/_/web", id, "olga", started, null, "[]");

        Assert.True(await first.StartDeployJobAsync(Job("one", at), at.AddMinutes(-10), Ct));
        Assert.False(await second.StartDeployJobAsync(Job("two", at.AddSeconds(1)), at.AddMinutes(-10), Ct));
        await second.FinishDeployJobAsync("/stacks/swarm/_/web", "two", at.AddMinutes(1), "[\"not this one\"]", Ct);
        await second.FinishDeployJobAsync("/stacks/swarm/_/web", "one", at.AddMinutes(1), "[{\"id\":1}]", Ct);
        var finished = await second.FindDeployJobAsync("/stacks/swarm/_/web", Ct);
        Assert.Equal(new StoredDeployJob("/stacks/swarm/_/web", "one", "olga", at, at.AddMinutes(1), "[{\"id\":1}]"), finished);

        Assert.True(await second.StartDeployJobAsync(Job("three", at.AddMinutes(2)), at.AddMinutes(-8), Ct));
        // "three" never finishes (its replica stopped): once it is older than the cut-off, a new job replaces it.
        Assert.False(await first.StartDeployJobAsync(Job("four", at.AddMinutes(3)), at.AddMinutes(1), Ct));
        Assert.True(await first.StartDeployJobAsync(Job("four", at.AddMinutes(20)), at.AddMinutes(10), Ct));
        Assert.Equal("four", (await second.FindDeployJobAsync("/stacks/swarm/_/web", Ct))!.JobId);
        Assert.Null(await second.FindDeployJobAsync("/stacks/swarm/_/other", Ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task ADraft_PutByOneStore_IsFoundByAnother_AndExpiredOnesAreRemoved(string kind)
    {
        using var first = await MigratedAsync(kind);
        using var second = await MigratedAsync(kind);
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        await first.PutDraftAsync(new StoredDraft("old", "Olga", at, "payload-old"), at.AddHours(-1), Ct);
        await first.PutDraftAsync(new StoredDraft("new", "Olga", at.AddHours(2), "payload-new"), at.AddHours(1), Ct);

        Assert.Null(await second.FindDraftAsync("old", Ct));
        Assert.Equal(new StoredDraft("new", "olga", at.AddHours(2), "payload-new"), await second.FindDraftAsync("new", Ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task DataProtectionKeys_WrittenByOneStore_AreReadByAnother(string kind)
    {
        using (var first = await MigratedAsync(kind))
        {
            await first.StoreDataProtectionKeyAsync("key-b", "<key id=\"b\" />", Ct);
            await first.StoreDataProtectionKeyAsync("key-a", "<key id=\"a\" />", Ct);
        }

        using var second = await MigratedAsync(kind);

        Assert.Equal(["<key id=\"a\" />", "<key id=\"b\" />"], await second.ReadDataProtectionKeysAsync(Ct));
    }

    [Theory]
    [InlineData("web", StackOrchestrator.Swarm, "", false)]
    [InlineData("shop-web", StackOrchestrator.Kubernetes, "shop", true)]
    [InlineData("shop-web", StackOrchestrator.Kubernetes, "other", false)]
    [InlineData("web", StackOrchestrator.Kubernetes, "shop", false)]
    [InlineData("shop-web", StackOrchestrator.Swarm, "", true)]
    public void AScopedAccount_SeesOnlyItsPrefixesAndNamespaces(string name, StackOrchestrator orchestrator, string ns, bool visible)
    {
        var scope = new AccountScope(["shop"], ["shop-"]);
        var unscoped = new AccountScope([], []);
        var stack = new StackSummary(name, 1, orchestrator, ns);

        Assert.Equal(visible, scope.Allows(stack));
        Assert.True(unscoped.Allows(stack));
    }
}
