using System.Collections.Immutable;
using Berth.Stacks.Events;
using Berth.Stacks.Progress;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>How long and how strictly to wait.</summary>
/// <param name="Timeout">When to give up.</param>
/// <param name="PollInterval">Time between reads.</param>
/// <param name="Stability">How long a service must stay healthy before it counts as converged (docker's monitor: 5s).</param>
/// <param name="EngineClockOffset">Engine clock minus local clock, so task timestamps can be compared with now.</param>
/// <param name="RollingBack">Berth asked for a rollback: a completed rollback is the goal.</param>
internal sealed record ConvergenceSettings(TimeSpan Timeout, TimeSpan PollInterval, TimeSpan Stability, TimeSpan EngineClockOffset, bool RollingBack)
{
    /// <summary>Services this deploy wrote: their update states older than <see cref="WrittenAfter"/> (engine clock) are a previous update's.</summary>
    public IReadOnlySet<string> Written { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public DateTime WrittenAfter { get; init; } = DateTime.MinValue;
}

/// <summary>
/// Waits until every named service is converged: its update (if any) finished, all desired tasks of its current spec
/// running (jobs: completed), and that held for the stability period. A service that was already running that long
/// (an unchanged one) is converged at the first poll, so checking a healthy stack costs one read. Gives up at the
/// timeout, or at once when a service cannot converge on its own (a paused or rolled back update, a restart loop).
/// </summary>
internal sealed class ConvergenceWaiter(EngineCalls engine)
{
    public async Task<(bool Converged, ImmutableArray<string> Failures)> WaitAsync(IReadOnlyList<string> names, ConvergenceSettings settings, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + settings.Timeout;

        // When each service was first seen healthy (local clock), reset when it is not: the window docker's monitor uses.
        var healthySince = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        var nameFilter = new Dictionary<string, IDictionary<string, bool>> { ["name"] = names.ToDictionary(n => n, _ => true, StringComparer.Ordinal) };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var services = await engine.Read(c => c.Swarm.ListServicesAsync(new ServiceListParameters { Status = true, Filters = nameFilter }, cancellationToken)).ConfigureAwait(false);
            var byName = services.Where(s => s.Spec?.Name is not null && names.Contains(s.Spec.Name)).ToDictionary(s => s.Spec!.Name!, StringComparer.Ordinal);
            var tasks = await UpToDateTasksAsync(byName.Values, cancellationToken).ConfigureAwait(false);
            var now = DateTime.UtcNow;
            var engineNow = now + settings.EngineClockOffset;
            var progress = new List<ServiceProgress>(names.Count);
            foreach (var name in names)
            {
                var service = byName.GetValueOrDefault(name);
                var own = service is null ? [] : tasks.Where(t => t.ServiceID == service.ID).ToList();
                var check = ServiceHealth.Evaluate(name, service, own, engineNow, settings.RollingBack, settings.Written.Contains(name) ? settings.WrittenAfter : null);
                progress.Add(Progress(check, Stable(check, healthySince, now, engineNow, settings), settings.Stability));
            }

            var converged = progress.All(p => p.Done);
            var stuck = progress.Any(p => p.Failed);
            if (converged || stuck || DateTime.UtcNow >= deadline)
            {
                engine.Publish(new ConvergenceFinished([.. progress], converged));
                return converged ? (true, []) : (false, await FailuresAsync(byName.Values, progress, cancellationToken).ConfigureAwait(false));
            }

            engine.Publish(new ServicesProgressed([.. progress]));
            await Task.Delay(settings.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Healthy for the whole stability period: by the engine's timestamps (a task running since long before this
    /// deploy), or as seen by this wait. A task exit inside the window restarts it.
    /// </summary>
    private static bool Stable(ServiceCheck check, Dictionary<string, DateTime> healthySince, DateTime now, DateTime engineNow, ConvergenceSettings settings)
    {
        if (check.State != HealthState.Running)
        {
            healthySince.Remove(check.Name);
            return false;
        }

        if (!healthySince.TryGetValue(check.Name, out var since) || (check.LastFailure is { } failed && failed - settings.EngineClockOffset > since))
        {
            healthySince[check.Name] = since = now;
        }

        return now - since >= settings.Stability || (check.StableSince is { } stableSince && engineNow - stableSince >= settings.Stability);
    }

    private static ServiceProgress Progress(ServiceCheck check, bool stable, TimeSpan stability)
    {
        var (state, done) = check.State switch
        {
            HealthState.Completed => ("completed", true),
            HealthState.Running when stable => ("converged", true),
            HealthState.Running => ($"running, verifying it stays up for {stability.TotalSeconds:0.#}s", false),
            _ => (check.Detail, false),
        };
        return new ServiceProgress(check.Name, check.Running, check.Desired, state, done, check.State == HealthState.Failed);
    }

    private async Task<IList<TaskResponse>> UpToDateTasksAsync(IEnumerable<SwarmService> services, CancellationToken cancellationToken)
    {
        var ids = services.Select(s => s.ID).ToDictionary(id => id, _ => true, StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return [];
        }

        // "_up-to-date" is the engine's filter for tasks of the service's current spec, the one docker's monitor uses:
        // right after an update the previous spec's tasks still run, and must not count.
        var filters = new Dictionary<string, IDictionary<string, bool>> { ["service"] = ids, ["_up-to-date"] = new Dictionary<string, bool> { ["true"] = true } };
        return await engine.Read(c => c.Tasks.ListAsync(new TasksListParameters { Filters = filters }, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// For each service that did not converge, its latest task with an error (else its latest task not running):
    /// the engine's reason, e.g. "No such image" or "non-zero exit (1)", not the retry scheduled after it.
    /// </summary>
    private async Task<ImmutableArray<string>> FailuresAsync(IEnumerable<SwarmService> services, List<ServiceProgress> progress, CancellationToken cancellationToken)
    {
        var ids = services.Where(s => progress.Any(p => !p.Done && p.Name == s.Spec?.Name)).ToDictionary(s => s.ID, s => s.Spec!.Name!, StringComparer.Ordinal);
        IList<TaskResponse> tasks = [];
        if (ids.Count > 0)
        {
            var filter = new Dictionary<string, IDictionary<string, bool>> { ["service"] = ids.Keys.ToDictionary(id => id, _ => true, StringComparer.Ordinal) };
            tasks = await engine.Read(c => c.Tasks.ListAsync(new TasksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
        }

        var failures = tasks
            .Where(t => t.ServiceID is not null && ids.ContainsKey(t.ServiceID) && (!string.IsNullOrEmpty(t.Status?.Err) || (t.DesiredState == TaskState.Running && t.Status?.State is not TaskState.Running)))
            .OrderByDescending(t => !string.IsNullOrEmpty(t.Status?.Err))
            .ThenByDescending(t => t.UpdatedAt)
            .GroupBy(t => t.ServiceID)
            .Select(g => g.First())
            .Select(t => $"{ids[t.ServiceID!]}: {ServiceHealth.Describe(t)}")
            .ToList();

        // A service with no failing task still did not converge: say so rather than print nothing for it.
        foreach (var p in progress.Where(p => !p.Done && !failures.Any(f => f.StartsWith(p.Name + ":", StringComparison.Ordinal))))
        {
            failures.Add($"{p.Name}: {p.Running}/{p.Desired} {p.State}");
        }

        return [.. failures];
    }
}
