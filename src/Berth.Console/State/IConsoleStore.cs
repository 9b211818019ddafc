using Berth.Console.Accounts;
using Berth.Console.Audit;

namespace Berth.Console.State;

/// <summary>
/// The console's own state: accounts, the audit log, and what several replicas must share about deploys (the drafts
/// between a review and its deploy, each stack's newest deploy job and its result). Nothing the orchestrators hold
/// about stacks is kept here.
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

    /// <summary>One page of the entries the query selects, newest first.</summary>
    Task<AuditPage> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the account's role, scope, password hash, stamp, disabled flag and lock-out (by name). Refused, and
    /// nothing changed, when the account is gone or when afterwards no enabled admin would be left.
    /// </summary>
    Task<AccountUpdate> UpdateAccountAsync(Account account, CancellationToken cancellationToken);

    /// <summary>The Data Protection key ring's elements (XML text), for replicas sharing one database.</summary>
    Task<IReadOnlyList<string>> ReadDataProtectionKeysAsync(CancellationToken cancellationToken);

    Task StoreDataProtectionKeyAsync(string name, string xml, CancellationToken cancellationToken);

    /// <summary>Keeps a draft, and removes the drafts made before <paramref name="expiredBefore"/>.</summary>
    Task PutDraftAsync(StoredDraft draft, DateTimeOffset expiredBefore, CancellationToken cancellationToken);

    /// <summary>The draft of that id, or null.</summary>
    Task<StoredDraft?> FindDraftAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="job"/> as the stack's newest deploy; false, and nothing changed, when a deploy of the
    /// stack started at or after <paramref name="abandonedBefore"/> has not finished (on any replica). A job started
    /// before it that never finished was abandoned (its replica stopped) and is replaced.
    /// </summary>
    Task<bool> StartDeployJobAsync(StoredDeployJob job, DateTimeOffset abandonedBefore, CancellationToken cancellationToken);

    /// <summary>Records the end of the job (when and its events); nothing when a newer job of the stack has replaced it.</summary>
    Task FinishDeployJobAsync(string stackPath, string jobId, DateTimeOffset finishedAt, string eventsJson, CancellationToken cancellationToken);

    /// <summary>The stack's newest deploy job, or null.</summary>
    Task<StoredDeployJob?> FindDeployJobAsync(string stackPath, CancellationToken cancellationToken);
}
