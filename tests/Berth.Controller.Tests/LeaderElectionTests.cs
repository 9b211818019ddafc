using System.Diagnostics;
using Berth.Controller.Leadership;
using Berth.Kubernetes.ApiDouble;

namespace Berth.Controller.Tests;

/// <summary>
/// Lease leader election (client-go's tools/leaderelection semantics) between replicas in one process, against the
/// documented Kubernetes API test double (tests/Berth.Kubernetes.ApiDouble), which stands in for kube-apiserver: it
/// stores the Lease, refuses stale resourceVersions with 409 and validates the Lease as the real server. Not a cluster.
/// Short durations: lease 2 s, renew deadline 1.5 s, retry period 0.3 s. Upper bounds on timing leave seconds of
/// slack: the assembly's other classes share the thread pool on CI's two cores.
/// </summary>
public sealed class LeaderElectionTests
{
    private static readonly LeaderElectionSettings Fast = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(0.3), TimeSpan.FromSeconds(5));
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_electors_exactly_one_leads_and_the_other_stands_by()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        // A 10 s lease: a stall of the renewing thread under load must not hand the Lease over within the 2 s watched.
        var settings = Fast with { LeaseDuration = TimeSpan.FromSeconds(10), RenewDeadline = TimeSpan.FromSeconds(8) };
        await using var a = LeaseCandidate.Start(api, "a", settings);
        await using var b = LeaseCandidate.Start(api, "b", settings);

        await Task.WhenAny(a.Started, b.Started).WaitAsync(Deadline, Ct);
        var first = LeaseCandidate.Lease(api)!["spec"]!.DeepClone();
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        var later = LeaseCandidate.Lease(api)!["spec"]!;

        var (leader, follower) = a.LeadCount == 1 ? (a, b) : (b, a);
        Assert.Equal(1, leader.LeadCount);
        Assert.Equal(0, follower.LeadCount);
        Assert.True(leader.Elector.IsLeader);
        Assert.False(follower.Elector.IsLeader);
        Assert.Equal(leader.Identity, follower.Elector.Leader);
        Assert.Equal(leader.Identity, later["holderIdentity"]!.ToString());
        Assert.Equal(10, later["leaseDurationSeconds"]!.GetValue<int>());
        Assert.Equal(0, later["leaseTransitions"]!.GetValue<int>());
        // Renewals move renewTime (MicroTime, six fractional digits) and keep acquireTime.
        Assert.Equal(first["acquireTime"]!.ToString(), later["acquireTime"]!.ToString());
        Assert.NotEqual(first["renewTime"]!.ToString(), later["renewTime"]!.ToString());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$", later["renewTime"]!.ToString());
        Assert.Contains("leader_election_master_status{name=\"berth-controller\"} 1", await leader.MetricsAsync(), StringComparison.Ordinal);
        Assert.Contains("leader_election_master_status{name=\"berth-controller\"} 0", await follower.MetricsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_leader_that_stops_cleanly_releases_the_lease_and_the_other_leads_within_about_one_retry_period()
    {
        // A long lease (10 s) so that a takeover by expiry could not pass for a takeover after the release.
        var settings = Fast with { LeaseDuration = TimeSpan.FromSeconds(10), RenewDeadline = TimeSpan.FromSeconds(8) };
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        await using var a = LeaseCandidate.Start(api, "a", settings);
        await a.Started.WaitAsync(Deadline, Ct);
        await using var b = LeaseCandidate.Start(api, "b", settings);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.Equal(0, b.LeadCount);

        var stopped = Stopwatch.GetTimestamp();
        var outcome = await a.StopAsync();
        await b.Started.WaitAsync(Deadline, Ct);
        var takeover = Stopwatch.GetElapsedTime(stopped, b.StartedAt);
        TestContext.Current.TestOutputHelper?.WriteLine($"hand-over after release: {takeover.TotalMilliseconds:0} ms (retry period 300 ms, lease 10 s)");

        Assert.Equal(LeadershipOutcome.Stopped, outcome);
        Assert.True(a.Ended.IsCompleted, "the leading work's token was cancelled before RunAsync returned");
        // b retries every 0.3 s × (1 + up to 1.2): it sees the released (empty) holder at its next attempt, well before
        // the 10 s lease could expire (5 s leaves room for a loaded machine).
        Assert.True(takeover < TimeSpan.FromSeconds(5), $"took over {takeover.TotalSeconds:0.00} s after the leader stopped");
        AssertHeld(api, b.Identity, transitions: 1);
    }

    [Fact]
    public async Task A_leader_killed_without_release_is_replaced_after_the_lease_expires_and_not_before()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        // No release: like a process killed, the Lease keeps naming it until it expires.
        await using var a = LeaseCandidate.Start(api, "a", Fast with { ReleaseOnCancel = false });
        await a.Started.WaitAsync(Deadline, Ct);
        await using var b = LeaseCandidate.Start(api, "b", Fast);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);

        var killed = Stopwatch.GetTimestamp();
        await a.StopAsync();
        var last = LeaseCandidate.Lease(api)!["spec"]!;
        Assert.Equal(a.Identity, last["holderIdentity"]!.ToString());
        var lastRenewal = DateTimeOffset.Parse(last["renewTime"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        await b.Started.WaitAsync(Deadline, Ct);
        var takeover = Stopwatch.GetElapsedTime(killed, b.StartedAt);
        var afterLastRenewal = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(b.StartedAt) - lastRenewal;
        TestContext.Current.TestOutputHelper?.WriteLine($"take-over {takeover.TotalMilliseconds:0} ms after a leader died without release, {afterLastRenewal.TotalMilliseconds:0} ms after its last renewal (lease 2 s, retry period 300 ms)");

        // b counts the 2 s lease from when it saw a's last renewal, which was after a wrote it: it cannot take over
        // sooner than 2 s after that renewal (50 ms for the clock readings). Measured from the renewal, not from the stop:
        // under load a's renewals can lag, so the lease may be nearly spent when a stops. b retries every 0.3–0.66 s
        // after expiry (the upper bound leaves room for a loaded machine).
        Assert.True(afterLastRenewal >= TimeSpan.FromSeconds(1.95), $"took over {afterLastRenewal.TotalSeconds:0.00} s after the leader's last renewal: before the lease expired");
        Assert.True(takeover <= TimeSpan.FromSeconds(8), $"took over {takeover.TotalSeconds:0.00} s after the leader died");
        AssertHeld(api, b.Identity, transitions: 1);
    }

    [Fact]
    public async Task A_leader_whose_renewals_fail_stops_leading_within_the_renew_deadline()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        await using var a = LeaseCandidate.Start(api, "a", Fast);
        await a.Started.WaitAsync(Deadline, Ct);

        api.Deny("update", "leases.coordination.k8s.io", LeaseCandidate.LeaseNamespace);
        var denied = Stopwatch.GetTimestamp();
        var outcome = await a.Run.WaitAsync(Deadline, Ct);
        var stoppedAfter = Stopwatch.GetElapsedTime(denied);
        TestContext.Current.TestOutputHelper?.WriteLine($"stopped leading {stoppedAfter.TotalMilliseconds:0} ms after renewals began to fail (renew deadline 1.5 s, retry period 300 ms)");

        Assert.Equal(LeadershipOutcome.LostLease, outcome);
        Assert.True(a.Ended.IsCompleted, "the leading work's token was cancelled");
        // The next renewal comes within one retry period; it is retried for the renew deadline (1.5 s), then leading stops.
        // The lower bound allows for a renewal already in flight when the denial began (its round's 1.5 s started
        // earlier); giving up at the first refusal would stop within one retry period.
        Assert.True(stoppedAfter >= TimeSpan.FromSeconds(1), $"gave up after {stoppedAfter.TotalSeconds:0.00} s, before the renew deadline");
        Assert.True(stoppedAfter <= Fast.RenewDeadline + Fast.RetryPeriod + TimeSpan.FromSeconds(3), $"stopped leading {stoppedAfter.TotalSeconds:0.00} s after renewals began to fail");
        Assert.Contains("leader_election_master_status{name=\"berth-controller\"} 0", await a.MetricsAsync(), StringComparison.Ordinal);
        Assert.Contains(api.Requests, r => r.Verb == "update" && r.Resource == "leases.coordination.k8s.io" && r.StatusCode == 403);
    }

    [Fact]
    public async Task Lease_transitions_count_takeovers_and_a_release_empties_the_holder()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        var transitions = new List<int>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await using var candidate = LeaseCandidate.Start(api, name, Fast);
            await candidate.Started.WaitAsync(Deadline, Ct);
            var held = LeaseCandidate.Lease(api)!["spec"]!;
            Assert.Equal(candidate.Identity, held["holderIdentity"]!.ToString());
            transitions.Add(held["leaseTransitions"]!.GetValue<int>());

            Assert.Equal(LeadershipOutcome.Stopped, await candidate.StopAsync());
            var released = LeaseCandidate.Lease(api)!["spec"]!;
            Assert.Equal(string.Empty, released["holderIdentity"]!.ToString());
            Assert.Equal(1, released["leaseDurationSeconds"]!.GetValue<int>());
            Assert.Equal(transitions[^1], released["leaseTransitions"]!.GetValue<int>());
        }

        Assert.Equal([0, 1, 2], transitions);
    }

    [Fact]
    public async Task Healthz_check_fails_for_a_leader_whose_lease_has_not_been_renewed_for_the_lease_duration_plus_the_tolerance()
    {
        // A long retry period (1 s) leaves a second between renewals to look at the check with the clock moved on.
        var settings = Fast with { RenewDeadline = TimeSpan.FromSeconds(1.5), RetryPeriod = TimeSpan.FromSeconds(1) };
        var clock = new ShiftedTimeProvider();
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        await LeaseCandidate.CreateNamespaceAsync(api, Ct);
        await using var leader = LeaseCandidate.Start(api, "a", settings, clock);
        await leader.Started.WaitAsync(Deadline, Ct);
        var healthyBefore = leader.Elector.Check(TimeSpan.FromSeconds(20), out _);

        // 2 s lease + 20 s tolerance passed since the last renewal this replica saw (as if renewals were stuck).
        clock.Offset = TimeSpan.FromSeconds(25);
        var healthyStuck = leader.Elector.Check(TimeSpan.FromSeconds(20), out var problem);
        await Berth.Testing.Poll.UntilAsync(() => leader.Elector.Check(TimeSpan.FromSeconds(20), out _), "the next renewal to make the leader healthy again", Ct, TimeSpan.FromSeconds(5));

        Assert.True(healthyBefore);
        Assert.False(healthyStuck);
        Assert.Equal("failed election to renew leadership on lease berth-controller", problem);
    }

    private static void AssertHeld(KubernetesApiDouble api, string holder, int transitions)
    {
        var spec = LeaseCandidate.Lease(api)!["spec"]!;
        Assert.Equal(holder, spec["holderIdentity"]!.ToString());
        Assert.Equal(transitions, spec["leaseTransitions"]!.GetValue<int>());
    }

    /// <summary>The system clock moved by <see cref="Offset"/>; timers stay real.</summary>
    private sealed class ShiftedTimeProvider : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}
