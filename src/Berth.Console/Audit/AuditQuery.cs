namespace Berth.Console.Audit;

/// <summary>
/// Which audit entries to show: each filter applies when set. <c>Actor</c> compares case-insensitively; <c>Action</c>
/// matches the action or its family ("account" matches "account.add"); the range is [From, To).
/// </summary>
internal sealed record AuditQuery(string? Actor, string? Action, string? Result, DateTimeOffset? From, DateTimeOffset? To, int Offset, int Limit);

/// <summary>One page of entries, and whether more follow it.</summary>
internal sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, bool HasMore);
