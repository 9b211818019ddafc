namespace Berth.StackService;

/// <summary>History and rollback (docs/design/stack-history.md): revisions kept in the orchestrator itself.</summary>
public partial interface IStackService
{
    /// <summary>The stack's recorded revisions, oldest first: one list request. Empty: no history (docker-made, or an older Berth).</summary>
    Task<StackHistoryResult> HistoryAsync(string stack, CancellationToken cancellationToken);

    /// <summary>
    /// Reads revision <paramref name="revision"/> (null: the one before the latest) and makes it a deploy request
    /// (set its Timeout, Detach, ... with <c>with</c>); plan it to show the diff, then deploy it. A <see cref="StackHistoryException"/> when there is no such revision or a
    /// secret's content no longer matches; nothing is written.
    /// </summary>
    Task<StackRollbackTarget> PrepareRollbackAsync(string stack, int? revision, CancellationToken cancellationToken);
}
