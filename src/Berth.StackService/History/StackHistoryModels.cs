using System.Collections.Immutable;

namespace Berth.StackService;

/// <summary>A Compose file a revision was deployed from, by its sha256 at deploy time.</summary>
public sealed record StackSourceFile(string Path, string Sha256);

/// <summary>
/// One recorded deploy of a stack (docs/design/stack-history.md). <see cref="Note"/> says e.g. <c>rollback to 2</c>;
/// <see cref="Omitted"/> what the record could not keep (config contents over the store's size limit).
/// <see cref="Unreadable"/>: written by a newer Berth (a record format this one does not know); only the number is known.
/// </summary>
public sealed record StackRevision(int Revision, DateTime DeployedAt, string DeployedBy, string BerthVersion)
{
    public ImmutableArray<StackSourceFile> Sources { get; init; } = [];

    public string? Note { get; init; }

    public string? Omitted { get; init; }

    public string? Unreadable { get; init; }
}

/// <summary>
/// A stored revision made ready to deploy again: <see cref="Request"/> holds its project, its options and the stored
/// config contents, and records a new revision noting the rollback. Plan it (the diff) and deploy it.
/// </summary>
public sealed record StackRollbackTarget(StackRevision Revision, StackDeployRequest Request);

/// <summary>
/// A history request that cannot be met as asked (no history, an unknown revision, a record written by a newer
/// Berth, a secret whose content changed since). Nothing was written. CLI: exit 1.
/// </summary>
public sealed class StackHistoryException(string message, string? hint) : Exception(message)
{
    public string? Hint { get; } = hint;
}

/// <summary>A stack's history: its revisions, oldest first; <see cref="StackExists"/> tells a stack without history from no stack.</summary>
public sealed record StackHistoryResult(string Stack, ImmutableArray<StackRevision> Revisions, bool StackExists);
