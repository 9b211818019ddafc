namespace Berth.Console.Audit;

/// <summary>
/// One change made through the console: who (<c>Actor</c>), what (<c>Action</c> on <c>Target</c>), when (<c>At</c>),
/// how it ended (<c>Result</c>: "ok", "refused" or "failed") and a short <c>Detail</c>, never a secret value.
/// </summary>
internal sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, string Target, string Result, string Detail);
