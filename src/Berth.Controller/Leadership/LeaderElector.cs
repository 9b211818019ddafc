using System.Net;
using k8s.Autorest;

namespace Berth.Controller.Leadership;

/// <summary>Timings of an election; client-go's LeaderElectionConfig (tools/leaderelection/leaderelection.go).</summary>
/// <param name="LeaseDuration">How long a follower waits after it last saw the record change before taking over.</param>
/// <param name="RenewDeadline">How long the leader retries a renewal before it gives up leading.</param>
/// <param name="RetryPeriod">Between attempts to acquire or renew.</param>
/// <param name="StopTimeout">How long the leading work may take to end once cancelled before the Lease is released anyway.</param>
internal sealed record LeaderElectionSettings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod, TimeSpan StopTimeout)
{
    /// <summary>Give the Lease up on a clean stop (client-go's ReleaseOnCancel), so the next replica takes over at once.</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}

/// <summary>How a <see cref="LeaderElector.RunAsync"/> ended.</summary>
internal enum LeadershipOutcome
{
    /// <summary>Cancelled: never led, or led and stopped cleanly (the Lease released when it could be).</summary>
    Stopped,

    /// <summary>The renewals failed for the whole renew deadline: this replica no longer leads.</summary>
    LostLease,

    /// <summary>The leading work ended by itself (returned or failed) while still leading.</summary>
    WorkEnded,
}

/// <summary>
/// Lease leader election as client-go's tools/leaderelection/leaderelection.go (LeaderElector.Run, acquire, renew,
/// tryAcquireOrRenew, release, Check) with the Lease lock of resourcelock/leaselock.go:
/// <list type="bullet">
/// <item>acquire: try every RetryPeriod with jitter (× up to 1 + 1.2) until the Lease is missing (create it), unheld
/// (empty holderIdentity) or expired, then write this replica's identity (leaseTransitions + 1).</item>
/// <item>expiry is judged by this replica's clock: the lease runs out leaseDurationSeconds after the moment this
/// replica last saw the record change, never from renewTime (clocks of replicas may differ).</item>
/// <item>renew every RetryPeriod; a renewal retries every RetryPeriod for up to RenewDeadline, then leading stops.</item>
/// <item>writes are updates with the resourceVersion last read, so of two replicas racing only one wins (409).</item>
/// </list>
/// The leading work gets a token cancelled when leadership ends; on a clean stop the work is awaited (bounded by
/// StopTimeout) and the Lease released (holder emptied, leaseDurationSeconds 1) before RunAsync returns.
/// </summary>
internal sealed class LeaderElector
{
    /// <summary>client-go's JitterFactor: acquire retries wait RetryPeriod × (1 + up to 1.2).</summary>
    public const double JitterFactor = 1.2;

    private readonly LeaseLock _lock;
    private readonly LeaderElectionSettings _settings;
    private readonly ILogger _logger;
    private readonly LeaderMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Func<Exception, string?> _explain;
    private readonly object _gate = new();
    private LeaderElectionRecord _observedRecord = LeaderElectionRecord.Empty;
    private DateTimeOffset _observedTime;
    private DateTimeOffset? _lastContact;
    private string _reportedLeader = string.Empty;

    // explain words a failed request for the log (the server's Status message); without it, the status code only.
    public LeaderElector(LeaseLock @lock, LeaderElectionSettings settings, ILogger logger, LeaderMetrics? metrics = null, TimeProvider? time = null, Func<Exception, string?>? explain = null)
    {
        _explain = explain ?? (_ => null);
        _lock = @lock;
        _settings = settings;
        _logger = logger;
        _metrics = metrics ?? new LeaderMetrics();
        _time = time ?? TimeProvider.System;
        _metrics.LeaderOff(_lock.Name);
    }

    public string Identity => _lock.Identity;

    /// <summary>True while the last record this replica saw names it (client-go's IsLeader).</summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _observedRecord.HolderIdentity == _lock.Identity;
            }
        }
    }

    /// <summary>The holder in the last record seen ("" when none).</summary>
    public string Leader
    {
        get
        {
            lock (_gate)
            {
                return _observedRecord.HolderIdentity;
            }
        }
    }

    /// <summary>When the API server last answered a Lease request, or null before the first answer.</summary>
    public DateTimeOffset? LastContact
    {
        get
        {
            lock (_gate)
            {
                return _lastContact;
            }
        }
    }

    /// <summary>
    /// client-go's LeaderElector.Check, behind kube-controller-manager's leader-election healthz adaptor: a leader
    /// whose record has not been renewed for longer than the lease duration + <paramref name="maxTolerableExpiredLease"/>
    /// is unhealthy (it should have stopped leading; a deadlock can prevent that). A follower is always healthy.
    /// </summary>
    public bool Check(TimeSpan maxTolerableExpiredLease, out string? problem)
    {
        lock (_gate)
        {
            problem = null;
            if (_observedRecord.HolderIdentity != _lock.Identity)
            {
                return true;
            }

            if (_time.GetUtcNow() - _observedTime > _settings.LeaseDuration + maxTolerableExpiredLease)
            {
                problem = $"failed election to renew leadership on lease {_lock.Name}";
                return false;
            }

            return true;
        }
    }

    /// <summary>
    /// Waits to lead, runs <paramref name="lead"/> while leading, and returns when leadership ends: cancelled
    /// (<see cref="LeadershipOutcome.Stopped"/>), renewals failing for RenewDeadline (<see cref="LeadershipOutcome.LostLease"/>),
    /// or the work ending (<see cref="LeadershipOutcome.WorkEnded"/>). The work is always cancelled and awaited (bounded)
    /// before this returns; the Lease is then released when it still names this replica.
    /// </summary>
    public async Task<LeadershipOutcome> RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        if (!await AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            return LeadershipOutcome.Stopped;
        }

        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => lead(leading.Token), CancellationToken.None);
        var outcome = await RenewAsync(work, cancellationToken).ConfigureAwait(false);
        _metrics.LeaderOff(_lock.Name);
        await leading.CancelAsync().ConfigureAwait(false);
        await StopWorkAsync(work).ConfigureAwait(false);
        if (_settings.ReleaseOnCancel)
        {
            await ReleaseAsync().ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("attempting to acquire leader lease {Lease} as {Identity}", _lock.Describe, _lock.Identity);
        while (!cancellationToken.IsCancellationRequested)
        {
            var acquired = await TryAcquireOrRenewAsync(cancellationToken).ConfigureAwait(false);
            ReportTransition();
            if (acquired)
            {
                _metrics.LeaderOn(_lock.Name);
                _logger.LogInformation("became leader: acquired lease {Lease} as {Identity}", _lock.Describe, _lock.Identity);
                return true;
            }

            // wait.JitterUntil(..., RetryPeriod, JitterFactor, sliding): the wait starts after the attempt.
            var wait = _settings.RetryPeriod * (1 + (Random.Shared.NextDouble() * JitterFactor));
            if (!await DelayAsync(wait, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }

        return false;
    }

    private async Task<LeadershipOutcome> RenewAsync(Task work, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The leading work ending by itself ends leading too: nothing else would ever stop it.
        _ = work.ContinueWith(_ => CancelQuietly(stop), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        while (!stop.IsCancellationRequested)
        {
            // wait.PollUntilContextTimeout(RetryPeriod, RenewDeadline, immediate): retry until renewed or the deadline.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            deadline.CancelAfter(_settings.RenewDeadline);
            var renewed = false;
            while (!renewed && !deadline.IsCancellationRequested)
            {
                renewed = await TryAcquireOrRenewAsync(deadline.Token).ConfigureAwait(false);
                if (!renewed && !await DelayAsync(_settings.RetryPeriod, deadline.Token).ConfigureAwait(false))
                {
                    break;
                }
            }

            ReportTransition();
            if (stop.IsCancellationRequested)
            {
                break;
            }

            if (!renewed)
            {
                _logger.LogError("lost leadership: failed to renew lease {Lease} within {RenewDeadline}", _lock.Describe, _settings.RenewDeadline);
                return LeadershipOutcome.LostLease;
            }

            if (!await DelayAsync(_settings.RetryPeriod, stop.Token).ConfigureAwait(false))
            {
                break;
            }
        }

        return cancellationToken.IsCancellationRequested ? LeadershipOutcome.Stopped : LeadershipOutcome.WorkEnded;
    }

    /// <summary>tryAcquireOrRenew: true when this replica holds the Lease after the call.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var stamp = LeaderElectionRecord.MicroTime(now);
        var record = new LeaderElectionRecord(_lock.Identity, (int)_settings.LeaseDuration.TotalSeconds, stamp, stamp, 0);
        try
        {
            // 1. Fast path: the leader updates optimistically, assuming the record it saw last is current.
            LeaderElectionRecord observed;
            bool fastPath;
            lock (_gate)
            {
                observed = _observedRecord;
                fastPath = observed.HolderIdentity == _lock.Identity && IsLeaseValid(now);
            }

            if (fastPath)
            {
                var renewal = record with { AcquireTime = observed.AcquireTime, LeaderTransitions = observed.LeaderTransitions };
                try
                {
                    await _lock.UpdateAsync(renewal, cancellationToken).ConfigureAwait(false);
                    SetObservedRecord(renewal, contact: true);
                    return true;
                }
                catch (HttpOperationException e)
                {
                    _logger.LogDebug("failed to update lease {Lease} optimistically ({Status}), falling back to slow path", _lock.Describe, (int)e.Response.StatusCode);
                }
            }

            // 2. Read the record, or create the Lease when there is none.
            var current = await _lock.GetAsync(cancellationToken).ConfigureAwait(false);
            Contact();
            if (current is null)
            {
                await _lock.CreateAsync(record, cancellationToken).ConfigureAwait(false);
                SetObservedRecord(record, contact: true);
                return true;
            }

            // 3. A changed record restarts the expiry clock (observedTime); a valid lease held by another stands.
            bool held;
            lock (_gate)
            {
                if (current != _observedRecord)
                {
                    _observedRecord = current;
                    _observedTime = _time.GetUtcNow();
                }

                held = current.HolderIdentity.Length > 0 && IsLeaseValid(now) && current.HolderIdentity != _lock.Identity;
            }

            if (held)
            {
                return false;
            }

            // 4. Take it (or renew on the slow path): keep acquireTime and transitions when already the holder.
            if (current.HolderIdentity == _lock.Identity)
            {
                record = record with { AcquireTime = current.AcquireTime, LeaderTransitions = current.LeaderTransitions };
                _metrics.SlowPathExercised(_lock.Name);
            }
            else
            {
                record = record with { LeaderTransitions = current.LeaderTransitions + 1 };
            }

            await _lock.UpdateAsync(record, cancellationToken).ConfigureAwait(false);
            SetObservedRecord(record, contact: true);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict)
        {
            // Another replica wrote the Lease since it was read: it won this round; retry after the period.
            _logger.LogDebug("lease {Lease} was changed by another replica (409); retrying", _lock.Describe);
            return false;
        }
        catch (HttpOperationException e)
        {
            _logger.LogWarning("lease {Lease}: {Problem}", _lock.Describe, _explain(e) ?? $"the API server answered {(int)e.Response.StatusCode} {e.Response.ReasonPhrase}");
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (HttpRequestException e)
        {
            _logger.LogWarning("lease {Lease}: {Problem}", _lock.Describe, _explain(e) ?? $"cannot reach the API server: {e.Message}");
            return false;
        }
    }

    /// <summary>
    /// client-go's release: holder emptied, leaseDurationSeconds 1, transitions kept, retried on conflict. Unlike
    /// client-go it writes only when the Lease read now still names this replica, so a replica that lost the Lease
    /// never clears its successor's record.
    /// </summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_settings.RenewDeadline);
        for (var attempt = 0; attempt < 5 && !timeout.IsCancellationRequested; attempt++)
        {
            try
            {
                var current = await _lock.GetAsync(timeout.Token).ConfigureAwait(false);
                if (current is null || current.HolderIdentity != _lock.Identity)
                {
                    return;
                }

                var now = LeaderElectionRecord.MicroTime(_time.GetUtcNow());
                var released = new LeaderElectionRecord(string.Empty, 1, now, now, current.LeaderTransitions);
                await _lock.UpdateAsync(released, timeout.Token).ConfigureAwait(false);
                SetObservedRecord(released, contact: true);
                _logger.LogInformation("released lease {Lease}", _lock.Describe);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict)
            {
                // A renewal still in flight when the work was cancelled bumped the resourceVersion: read again.
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException)
            {
                _logger.LogWarning("failed to release lease {Lease}: {Message}", _lock.Describe, e.Message);
                return;
            }
        }
    }

    private async Task StopWorkAsync(Task work)
    {
        try
        {
            await work.WaitAsync(_settings.StopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("the leading work did not stop within {StopTimeout}; releasing the lease anyway", _settings.StopTimeout);
        }
        catch (OperationCanceledException)
        {
            // The work ended by honouring its cancellation.
        }
        catch (Exception e)
        {
            _logger.LogError(e, "the leading work failed");
        }
    }

    private bool IsLeaseValid(DateTimeOffset now) =>
        _observedTime + TimeSpan.FromSeconds(_observedRecord.LeaseDurationSeconds) > now;

    private void SetObservedRecord(LeaderElectionRecord record, bool contact)
    {
        lock (_gate)
        {
            _observedRecord = record;
            _observedTime = _time.GetUtcNow();
            if (contact)
            {
                _lastContact = _observedTime;
            }
        }
    }

    private void Contact()
    {
        lock (_gate)
        {
            _lastContact = _time.GetUtcNow();
        }
    }

    /// <summary>maybeReportTransition: one log line when the holder this replica sees changes.</summary>
    private void ReportTransition()
    {
        var leader = Leader;
        if (leader == _reportedLeader)
        {
            return;
        }

        _reportedLeader = leader;
        if (leader.Length == 0)
        {
            _logger.LogInformation("lease {Lease} is not held", _lock.Describe);
        }
        else if (leader != _lock.Identity)
        {
            _logger.LogInformation("new leader elected: {Leader} holds lease {Lease}", leader, _lock.Describe);
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Renewing already ended.
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
