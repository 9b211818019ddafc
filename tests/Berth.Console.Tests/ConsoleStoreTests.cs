using Berth.Console.Accounts;
using Berth.Console.Audit;
using Berth.Console.State;
using Berth.StackService;

namespace Berth.Console.Tests;

/// <summary>The SQLite console store (a real file) and the account scope rule.</summary>
public sealed class ConsoleStoreTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("berth-console-store-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private static Account Account(string name, ConsoleRole role = ConsoleRole.Viewer) =>
        new(name, role, "hash", "stamp", Disabled: false, FailedSignIns: 0, LockedUntil: null, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    [Fact]
    public async Task Migrating_AgainAndFromASecondStore_KeepsTheData()
    {
        using (var first = SqliteConsoleStore.InDataDirectory(_data))
        {
            await first.MigrateAsync(Ct);
            Assert.True(await first.AddAccountAsync(Account("alice") with { Namespaces = ["shop"], StackPrefixes = ["web-", "api-"] }, Ct));
        }

        using var second = SqliteConsoleStore.InDataDirectory(_data);
        await second.MigrateAsync(Ct);
        await second.MigrateAsync(Ct);

        var alice = await second.FindAccountAsync("Alice", Ct);
        Assert.NotNull(alice);
        Assert.Equal(["shop"], alice.Namespaces);
        Assert.Equal(["api-", "web-"], alice.StackPrefixes);
        Assert.False(await second.AddAccountAsync(Account("ALICE"), Ct));
        Assert.Single(await second.ListAccountsAsync(Ct));
    }

    [Fact]
    public async Task TheAuditLog_ReadsNewestFirst_UpToTheLimit()
    {
        using var store = SqliteConsoleStore.InDataDirectory(_data);
        await store.MigrateAsync(Ct);
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAuditAsync(new AuditEntry(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + i), "alice", "stack.deploy", $"web-{i}", "ok", string.Empty), Ct);
        }

        var entries = await store.ReadAuditAsync(3, Ct);

        Assert.Equal(["web-4", "web-3", "web-2"], entries.Select(e => e.Target));
    }

    [Fact]
    public async Task ASignInRecord_KeepsTheFailures_AndReplacesTheHashOnlyWhenGiven()
    {
        using var store = SqliteConsoleStore.InDataDirectory(_data);
        await store.MigrateAsync(Ct);
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
