using System.Collections.Immutable;
using Berth.Stacks.Progress;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// Waits until every named service has all desired tasks running (jobs: completed) and no update in progress,
/// reporting per-service progress on each poll. Gives up at the timeout, or at once when the engine paused an
/// update (its failure action), since a paused update never converges on its own.
/// </summary>
internal sealed class ConvergenceWaiter(EngineCalls engine, IConvergenceReporter reporter)
{
    public async Task<(bool Converged, ImmutableArray<string> Failures)> WaitAsync(IReadOnlyList<string> names, TimeSpan timeout, TimeSpan pollInterval, bool rollingBack, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var nameFilter = new Dictionary<string, IDictionary<string, bool>> { ["service"] = names.ToDictionary(n => n, _ => true, StringComparer.Ordinal) };
        while (true)
        {
            var services = await engine.Read(c => c.Swarm.ListServicesAsync(new ServiceListParameters { Status = true }, cancellationToken)).ConfigureAwait(false);
            var tasks = await engine.Read(c => c.Tasks.ListAsync(new TasksListParameters { Filters = nameFilter }, cancellationToken)).ConfigureAwait(false);
            var progress = names.Select(n => Progress(n, services.FirstOrDefault(s => s.Spec?.Name == n), tasks, rollingBack)).ToList();
            var converged = progress.All(p => p.Done);
            var stuck = progress.Any(p => p.Failed);
            if (converged || stuck || DateTime.UtcNow >= deadline)
            {
                reporter.Complete(progress, converged);
                return converged ? (true, []) : (false, Failures(services, tasks, progress));
            }

            reporter.Update(progress);
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ServiceProgress Progress(string name, SwarmService? service, IList<TaskResponse> tasks, bool rollingBack)
    {
        if (service is null)
        {
            return new ServiceProgress(name, 0, 0, "missing", Done: false, Failed: false);
        }

        var status = service.ServiceStatus;
        var isJob = service.Spec?.Mode?.ReplicatedJob is not null || service.Spec?.Mode?.GlobalJob is not null;
        var running = isJob ? status?.CompletedTasks ?? 0 : status?.RunningTasks ?? 0;
        var desired = status?.DesiredTasks ?? 0;
        var scaledToZero = desired == 0 && service.Spec?.Mode?.Replicated?.Replicas == 0;
        var update = service.UpdateStatus?.State;
        var updating = update is "updating" or "rollback_started";

        // The engine's own failure action ended the update: paused, or rolled back when we did not ask for it.
        var failed = update is "paused" or "rollback_paused" || (update is "rollback_completed" && !rollingBack);
        var done = !updating && !failed && (scaledToZero || (desired > 0 && (isJob ? running >= desired : running == desired)));
        var latest = tasks.Where(t => t.ServiceID == service.ID).OrderByDescending(t => t.UpdatedAt).FirstOrDefault();

        // Once a task failed, the restart policy starts another at once; the failure is what explains a paused update.
        var latestError = tasks.Where(t => t.ServiceID == service.ID && TaskError(t) is not null).OrderByDescending(t => t.UpdatedAt).FirstOrDefault();
        string state;
        if (done)
        {
            state = isJob ? "completed" : "converged";
        }
        else if (failed)
        {
            state = $"update {update?.Replace('_', ' ')}: {TaskError(latestError) ?? service.UpdateStatus?.Message}";
        }
        else
        {
            var taskState = latest?.Status?.State?.ToString().ToLowerInvariant() ?? "pending";
            state = (updating ? (update == "rollback_started" ? "rolling back, " : "updating, ") : string.Empty)
                + (TaskError(latest) is { } err ? $"{taskState}: {err}" : taskState);
        }

        return new ServiceProgress(name, running, desired, state, done, failed);
    }

    private static string? TaskError(TaskResponse? task) => string.IsNullOrEmpty(task?.Status?.Err) ? null : task.Status.Err;

    /// <summary>
    /// For each service that did not converge, its latest task with an error (else its latest task not running):
    /// the engine's reason, e.g. "No such image" or "non-zero exit (1)", not the retry scheduled after it.
    /// </summary>
    private static ImmutableArray<string> Failures(IList<SwarmService> services, IList<TaskResponse> tasks, List<ServiceProgress> progress)
    {
        var ids = services.Where(s => progress.Any(p => !p.Done && p.Name == s.Spec?.Name)).ToDictionary(s => s.ID, s => s.Spec!.Name!, StringComparer.Ordinal);
        var failures = tasks
            .Where(t => t.ServiceID is not null && ids.ContainsKey(t.ServiceID) && (!string.IsNullOrEmpty(t.Status?.Err) || t.Status?.State is not TaskState.Running))
            .OrderByDescending(t => !string.IsNullOrEmpty(t.Status?.Err))
            .ThenByDescending(t => t.UpdatedAt)
            .GroupBy(t => t.ServiceID)
            .Select(g => g.First())
            .Select(t => $"{ids[t.ServiceID!]}: task {t.ID[..Math.Min(12, t.ID.Length)]} {t.Status?.State?.ToString().ToLowerInvariant()}: {(string.IsNullOrEmpty(t.Status?.Err) ? t.Status?.Message : t.Status.Err)}")
            .ToList();

        // A service with no failing task still did not converge: say so rather than print nothing for it.
        foreach (var p in progress.Where(p => !p.Done && !failures.Any(f => f.StartsWith(p.Name + ":", StringComparison.Ordinal))))
        {
            failures.Add($"{p.Name}: {p.Running}/{p.Desired} {p.State}");
        }

        return [.. failures];
    }
}
