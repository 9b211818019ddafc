using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Berth.Console.Audit;
using Berth.Console.State;
using Berth.Stacks.Events;
using Berth.Stacks.Progress;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>
/// One thing a deploy job reports, numbered from 1 so a page that reconnects asks for what follows (SSE's
/// Last-Event-ID). <see cref="Kind"/>: "line" (an object written, a warning), "progress" (every service's counts and
/// state), "done" (<see cref="Converged"/>, and the failure reasons in <see cref="Failures"/>).
/// </summary>
internal sealed record DeployJobEvent(int Id, string Kind, string Text, ImmutableArray<ServiceProgress> Services)
{
    public bool? Converged { get; init; }

    public ImmutableArray<string> Failures { get; init; } = [];
}

/// <summary>
/// A deploy running in the worker (or finished): its events so far, replayed to every page that opens it. A job read
/// from the store (<see cref="Remote"/>) is one another replica runs or ran: its events are those it stored, none while
/// it runs (live progress stays with the replica running it), all of them once it has finished.
/// </summary>
internal sealed class DeployJob(string key, string id, string actor, DateTimeOffset startedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lock _lock = new();
    private readonly List<DeployJobEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Key => key;

    /// <summary>This run's id (a stack's later deploy has another), as the store names it.</summary>
    public string Id => id;

    /// <summary>Read from the store: run by another replica (or by this one before it restarted).</summary>
    public bool Remote { get; private init; }

    public string Actor => actor;

    public DateTimeOffset StartedAt => startedAt;

    public bool Finished { get; private set; }

    public DateTimeOffset? FinishedAt { get; private set; }

    /// <summary>
    /// The job as the store holds it; one that never finished and was abandoned by <paramref name="abandonedAt"/> (its
    /// replica stopped mid-deploy) ends with a "done" event saying so, so no page waits for it.
    /// </summary>
    public static DeployJob FromStore(StoredDeployJob stored, DateTimeOffset? abandonedAt)
    {
        var job = new DeployJob(stored.StackPath, stored.JobId, stored.Actor, stored.StartedAt) { Remote = true };
        job._events.AddRange(JsonSerializer.Deserialize<List<DeployJobEvent>>(stored.EventsJson, Json) ?? []);
        job.Finished = stored.FinishedAt is not null;
        job.FinishedAt = stored.FinishedAt;
        if (!job.Finished && abandonedAt is not null)
        {
            const string Reason = "the console replica running this deploy stopped before it ended; see the stack's page for what runs";
            job.Add("done", $"failed: {Reason}", [], converged: false, failures: [Reason], finishedAt: abandonedAt);
        }

        return job;
    }

    /// <summary>Every event so far as JSON, as the store keeps a finished job's.</summary>
    public string EventsJson()
    {
        lock (_lock)
        {
            return JsonSerializer.Serialize(_events, Json);
        }
    }

    /// <summary>The events after <paramref name="after"/>, whether the job has finished, and a task that completes at the next change.</summary>
    public (ImmutableArray<DeployJobEvent> Events, bool Finished, Task Changed) Read(int after)
    {
        lock (_lock)
        {
            return ([.. _events.Where(e => e.Id > after)], Finished, _changed.Task);
        }
    }

    public void Add(string kind, string text, ImmutableArray<ServiceProgress> services, bool? converged = null, ImmutableArray<string> failures = default, DateTimeOffset? finishedAt = null)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _events.Add(new DeployJobEvent(_events.Count + 1, kind, text, services) { Converged = converged, Failures = failures.IsDefault ? [] : failures });
            if (finishedAt is not null)
            {
                Finished = true;
                FinishedAt = finishedAt;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }
}

/// <summary>
/// The deploy worker: one job per stack at a time (a second is refused while one runs), each calling
/// IStackService.DeployAsync with a sink that records per-service progress. Jobs live in the worker, not in a page,
/// so a page opened later replays the same state (Portainer #6599); finished jobs are kept for an hour. Each job's
/// end is recorded in the audit log. Stopping the host cancels running deploys. Each job is also recorded in the
/// console's store, so with replicas on one PostgreSQL only one deploy of a stack runs at a time across them, and a
/// job's final result (its events) is read on every replica; its live progress stays with the replica running it.
/// </summary>
internal sealed class DeployJobs(DeployTargets targets, IConsoleStore store, TimeProvider clock) : IHostedService
{
    /// <summary>How long a console deploy waits for convergence (the CLI's default is 5 minutes; a page should not spin that long).</summary>
    public static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How long services must stay up to count as converged (the CLI's default).</summary>
    public static readonly TimeSpan Stability = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, DeployJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// A job that never finished in the store after this long was abandoned (its replica stopped mid-deploy): a new
    /// deploy of the stack may start. Well beyond <see cref="DeployTimeout"/>, which bounds a running job.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = DeployTimeout * 5;

    /// <summary>
    /// The newest job of the stack at that path: this replica's when the store names it (or the store has none), else
    /// the one the store holds, run by another replica; null when none, or it finished more than <see cref="KeepFinished"/> ago.
    /// </summary>
    public async Task<DeployJob?> FindAsync(string stackPath, CancellationToken cancellationToken)
    {
        var local = _jobs.GetValueOrDefault(stackPath);
        var stored = await store.FindDeployJobAsync(stackPath, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.JobId == local?.Id)
        {
            return local;
        }

        var now = clock.GetUtcNow();
        var abandonedAt = stored.StartedAt + AbandonedAfter;
        if (now - (stored.FinishedAt ?? abandonedAt) > KeepFinished)
        {
            return null;
        }

        return DeployJob.FromStore(stored, stored.FinishedAt is null && now > abandonedAt ? abandonedAt : null);
    }

    /// <summary>Starts the deploy; null when a deploy of the same stack is still running, here or on another replica.</summary>
    public async Task<DeployJob?> StartJobAsync(DeployInput input, DeployLoad load, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, old) in _jobs)
        {
            if (old.Finished && now - old.FinishedAt > KeepFinished)
            {
                _jobs.TryRemove(key, out _);
            }
        }

        var job = new DeployJob(input.StackPath, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), actor, now);
        var added = _jobs.AddOrUpdate(input.StackPath, job, (_, existing) => existing.Finished ? job : existing);
        if (!ReferenceEquals(added, job))
        {
            return null;
        }

        if (!await store.StartDeployJobAsync(new StoredDeployJob(job.Key, job.Id, actor, now, null, "[]"), now - AbandonedAfter, cancellationToken).ConfigureAwait(false))
        {
            // Another replica runs a deploy of this stack.
            _jobs.TryRemove(KeyValuePair.Create(job.Key, job));
            return null;
        }

        var run = Task.Run(() => RunAsync(job, input, load, _stopping.Token));
        _running[run] = 0;
        _ = run.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
        return job;
    }

    private async Task RunAsync(DeployJob job, DeployInput input, DeployLoad load, CancellationToken cancellationToken)
    {
        var services = ImmutableArray<ServiceProgress>.Empty;
        var sink = StackEventSink.From(e =>
        {
            switch (e)
            {
                case ServicesProgressed progressed:
                    services = progressed.Services;
                    job.Add("progress", string.Empty, services);
                    break;
                case ConvergenceFinished finished:
                    services = finished.Services;
                    job.Add("progress", string.Empty, services);
                    break;
                default:
                    if (StackEventText.Line(e) is { } line)
                    {
                        job.Add("line", line, services);
                    }

                    break;
            }
        });

        string result;
        string detail;
        (string Text, bool Converged, ImmutableArray<string> Failures) done;
        try
        {
            job.Add("line", $"deploying {input.Name} to {input.Orchestrator}{(input.Orchestrator == StackOrchestrator.Kubernetes ? $" (namespace {(input.Namespace.Length > 0 ? input.Namespace : "of the kubeconfig")})" : string.Empty)}", services);
            using var lease = targets.Open(input.Orchestrator, input.Namespace);
            var deployed = await lease.Service.DeployAsync(DeployReview.Request(input, load, targets), sink, cancellationToken).ConfigureAwait(false);
            var failures = deployed.Failures
                .AddRange(deployed.PolicyCheck is { Denied: true } denied ? PolicyViolationView.Of(denied).Where(v => v.Severity == "error").Select(v => v.ToString()) : [])
                .AddRange(deployed.Collisions.Select(c => $"{c.Kind} {c.Name}: exists and is not the stack's{(c.Reason is null ? string.Empty : $" ({c.Reason})")}"))
                .AddRange(deployed.Refusals.Select(r => $"{r.Kind} {r.Name}: {r.Message}"));
            var ok = deployed.Converged && failures.IsEmpty && !deployed.Invalid;
            result = ok ? "ok" : "failed";
            detail = ok
                ? $"created {deployed.Created.Length}, updated {deployed.Updated.Length}, unchanged {deployed.Unchanged.Length}{(deployed.Revision is { } r ? $", revision {r}" : string.Empty)}"
                : deployed.PolicyDenied ? $"denied by policy {deployed.PolicyCheck!.Policy}; nothing was written"
                : deployed.Invalid ? "the stack cannot run on the orchestrator as written" : failures.IsEmpty ? "did not converge" : string.Join("; ", failures);
            done = (ok ? "deployed: every service converged" : $"failed: {detail}", ok, failures);
        }
        catch (Exception e) when (e is StackOrchestratorException or StackInputException or HttpRequestException or IOException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            result = "failed";
            detail = e is OperationCanceledException ? "cancelled: the console stopped" : e.Message;
            done = ($"failed: {detail}", false, [detail]);
        }

        // Audited before the end is published, so whoever sees the end finds it in the audit log.
        await store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), job.Actor, "stack.deploy", job.Key, result, detail), CancellationToken.None).ConfigureAwait(false);
        var finishedAt = clock.GetUtcNow();
        job.Add("done", done.Text, services, done.Converged, done.Failures, finishedAt);
        await store.FinishDeployJobAsync(job.Key, job.Id, finishedAt, job.EventsJson(), CancellationToken.None).ConfigureAwait(false);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
