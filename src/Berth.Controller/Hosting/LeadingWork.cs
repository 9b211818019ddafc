namespace Berth.Controller.Hosting;

/// <summary>
/// What the host runs while this replica leads, and whether it has synced (for /readyz). Program.cs makes it from
/// the stack controller; tests give their own.
/// </summary>
/// <param name="RunAsync">Runs until its token is cancelled (leadership lost or shutdown), then returns.</param>
/// <param name="Synced">True once the work's first list has been processed.</param>
internal sealed record LeadingWork(Func<CancellationToken, Task> RunAsync, Func<bool> Synced);
