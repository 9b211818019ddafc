using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>What one poll says about one service.</summary>
internal enum HealthState
{
    /// <summary>The service does not exist (yet, or any more).</summary>
    Missing,

    /// <summary>Tasks are starting, an update is running, or not all desired tasks run.</summary>
    Pending,

    /// <summary>All desired tasks of the current spec run and no update is in flight; stable once <see cref="ServiceCheck.StableSince"/> is old enough.</summary>
    Running,

    /// <summary>A job whose tasks all completed.</summary>
    Completed,

    /// <summary>Will not converge on its own: an update paused or rolled back, or a task keeps exiting.</summary>
    Failed,
}

/// <summary>
/// One service at one poll. <see cref="StableSince"/> (engine clock) is when its youngest counted task started running
/// or its latest task failure, whichever is later; <see cref="LastFailure"/> is its latest task failure.
/// </summary>
internal sealed record ServiceCheck(string Name, ulong Running, ulong Desired, HealthState State, string Detail, DateTime? StableSince, DateTime? LastFailure);

/// <summary>
/// Judges a service from one read, as docker's own monitor (docker/cli service/progress) does: only tasks of the
/// current spec count (the caller lists them with the engine's <c>_up-to-date</c> filter), an update must have
/// finished, and a task that keeps exiting is a restart loop, reported with its error.
/// </summary>
internal static class ServiceHealth
{
    /// <summary>This many exits of one slot's tasks within <see cref="RestartLoopWindow"/> is a restart loop, not a slow start.</summary>
    public const int RestartLoopExits = 3;

    public static readonly TimeSpan RestartLoopWindow = TimeSpan.FromSeconds(60);

    /// <param name="name">The service name asked for.</param>
    /// <param name="service">The service as listed with <c>Status=true</c>; null when missing.</param>
    /// <param name="tasks">The service's tasks of its current spec (<c>_up-to-date</c>).</param>
    /// <param name="engineNow">Now, on the engine's clock (task timestamps are the engine's).</param>
    /// <param name="rollingBack">Berth asked for this rollback, so a completed rollback is the goal, not a failure.</param>
    /// <param name="writtenAfter">For a service this deploy wrote: its update states older than this (engine clock) are
    /// a previous update's, not ours. Null for a service this deploy did not write: any paused update counts.</param>
    public static ServiceCheck Evaluate(string name, SwarmService? service, IReadOnlyList<TaskResponse> tasks, DateTime engineNow, bool rollingBack, DateTime? writtenAfter)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (service is null)
        {
            return new ServiceCheck(name, 0, 0, HealthState.Missing, "missing", null, null);
        }

        var mode = service.Spec?.Mode;
        var isGlobal = mode?.Global is not null || mode?.GlobalJob is not null;
        var isJob = mode?.ReplicatedJob is not null || mode?.GlobalJob is not null;
        var iteration = service.JobStatus?.JobIteration?.Index;
        var current = tasks.Where(t => !isJob || iteration is null || t.JobIteration?.Index is null || t.JobIteration.Index == iteration).ToList();

        // Exits of the current spec's tasks: failures, rejections, and (for a service that should keep running) tasks that ended.
        var exits = current.Where(t => t.Status?.State is TaskState.Failed or TaskState.Rejected || (!isJob && t.Status?.State is TaskState.Complete)).ToList();
        var lastExit = exits.Count == 0 ? (DateTime?)null : exits.Max(t => t.Status!.Timestamp);
        var latestExit = exits.OrderByDescending(t => t.Status!.Timestamp).FirstOrDefault();
        var loop = exits
            .Where(t => engineNow - t.Status!.Timestamp <= RestartLoopWindow)
            .GroupBy(t => isGlobal ? t.NodeID ?? string.Empty : System.Convert.ToString(t.Slot, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty)
            .Any(g => g.Count() >= RestartLoopExits);

        var running = (ulong)current.Count(t => t.DesiredState == TaskState.Running && t.Status?.State == TaskState.Running);
        var completed = (ulong)current.Count(t => t.Status?.State == TaskState.Complete);
        var desired = Desired(service, current, isJob, isGlobal);
        var counted = isJob ? completed : running;

        var update = service.UpdateStatus;
        var ours = writtenAfter is null || update?.StartedAt is not { } started || started >= writtenAfter;
        var state = ours ? update?.State : null;
        if (state is "paused" or "rollback_paused")
        {
            return new ServiceCheck(name, counted, desired, HealthState.Failed, $"update {state.Replace('_', ' ')}: {Error(latestExit) ?? update?.Message}", null, lastExit);
        }

        // The engine's failure action undid an update this deploy made: the file's spec is not what runs.
        if (state == "rollback_completed" && !rollingBack && writtenAfter is not null)
        {
            return new ServiceCheck(name, counted, desired, HealthState.Failed, $"update rolled back: {Error(latestExit) ?? update?.Message}", null, lastExit);
        }

        if (loop)
        {
            return new ServiceCheck(name, counted, desired, HealthState.Failed, $"restarting: {Describe(latestExit)}", null, lastExit);
        }

        var updating = state is "updating" or "rollback_started";
        if (isJob)
        {
            return desired > 0 && completed >= desired && !updating
                ? new ServiceCheck(name, completed, desired, HealthState.Completed, "completed", null, lastExit)
                : new ServiceCheck(name, completed, desired, HealthState.Pending, Waiting(current, updating, state), null, lastExit);
        }

        if (!updating && running == desired)
        {
            var youngest = current.Where(t => t.DesiredState == TaskState.Running && t.Status?.State == TaskState.Running)
                .Select(t => t.Status!.Timestamp).DefaultIfEmpty(DateTime.MinValue).Max();
            var since = lastExit is { } exit && exit > youngest ? exit : youngest;
            return new ServiceCheck(name, running, desired, HealthState.Running, "running", since, lastExit);
        }

        return new ServiceCheck(name, running, desired, HealthState.Pending, Waiting(current, updating, state), null, lastExit);
    }

    /// <summary>The task's error, else its state message ("finished" for a task that ended on its own).</summary>
    public static string Describe(TaskResponse? task)
        => task is null ? "no task" : $"task {task.ID[..Math.Min(12, task.ID.Length)]} {task.Status?.State?.ToString().ToLowerInvariant()}: {Error(task) ?? task.Status?.Message}";

    private static string? Error(TaskResponse? task) => string.IsNullOrEmpty(task?.Status?.Err) ? null : task.Status.Err;

    private static ulong Desired(SwarmService service, List<TaskResponse> current, bool isJob, bool isGlobal)
    {
        var mode = service.Spec?.Mode;
        if (mode?.Replicated is { } replicated)
        {
            return replicated.Replicas ?? 1;
        }

        if (mode?.ReplicatedJob is { } job)
        {
            return job.TotalCompletions ?? job.MaxConcurrent ?? 1;
        }

        // Global: the engine counts the eligible nodes; before it did, the nodes that already have a task.
        var nodes = (ulong)current.Select(t => t.NodeID).Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.Ordinal).Count();
        var status = service.ServiceStatus?.DesiredTasks ?? 0;
        return isGlobal && !isJob ? Math.Max(status, nodes) : Math.Max(status, Math.Max(nodes, 1));
    }

    private static string Waiting(List<TaskResponse> current, bool updating, string? update)
    {
        var latest = current.OrderByDescending(t => t.UpdatedAt).FirstOrDefault();
        var taskState = latest?.Status?.State?.ToString().ToLowerInvariant() ?? "pending";
        return (updating ? (update == "rollback_started" ? "rolling back, " : "updating, ") : string.Empty)
            + (Error(latest) is { } err ? $"{taskState}: {err}" : taskState);
    }
}
