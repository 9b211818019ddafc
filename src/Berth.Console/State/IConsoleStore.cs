using Berth.Console.Accounts;
using Berth.Console.Audit;

namespace Berth.Console.State;

/// <summary>
/// The console's own state: accounts and the audit log. Nothing about stacks is kept here; the orchestrators hold it.
/// </summary>
internal interface IConsoleStore : IDisposable
{
    /// <summary>Creates or upgrades the schema; safe to run at every start and from several replicas.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The account of that name (names compare case-insensitively), or null.</summary>
    Task<Account?> FindAccountAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken);

    /// <summary>Adds the account; false when the name is taken.</summary>
    Task<bool> AddAccountAsync(Account account, CancellationToken cancellationToken);

    /// <summary>Records a sign-in attempt's outcome: the failure count, the lock-out end, and a rehashed password when the hasher asked for one.</summary>
    Task RecordSignInAsync(string name, int failedSignIns, DateTimeOffset? lockedUntil, string? rehashedPassword, CancellationToken cancellationToken);

    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The newest entries first.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(int limit, CancellationToken cancellationToken);
}
