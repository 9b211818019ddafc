using System.Collections.Immutable;
using Berth.Stacks;
using Berth.Stacks.Events;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>How the wait ended: converged, or the failures (service: reason, with recent events), one line each.</summary>
internal sealed record RolloutResult(bool Converged, ImmutableArray<string> Failures);

/// <summary>
/// Waits for workloads to roll out (observed generation, updated/ready/available replicas; Jobs complete), reporting
/// per-service progress and surfacing pod problems early with their reason (ImagePullBackOff, CrashLoopBackOff,
/// Unschedulable, failing probes, OOMKilled) and recent events.
/// </summary>
/// <remarks>
/// Cost: one LIST per workload kind and one of pods to start (all a settled stack costs); then watches (one long
/// request per kind, renewed when the server ends it) wake the waiter on changes. Without watches (a client that is not <see cref="k8s.Kubernetes"/>,
/// or a watch the server refuses) those LISTs repeat every poll interval. Events are listed (one request) only while a
/// pod has a problem or is running unready, at most once per poll interval, and once more to explain a failure.
/// </remarks>
internal sealed class RolloutWaiter(IKubernetes client, string @namespace, IStackEventSink sink)
{
    /// <summary>Longest single watch request; the server ends it and the waiter watches again from where it was.</summary>
    private const int MaxWatchSeconds = 300;

    public async Task<RolloutResult> WaitAsync(string stack, IReadOnlyList<WorkloadRef> workloads, TimeSpan timeout, TimeSpan failFastAfter, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stack);
        ArgumentNullException.ThrowIfNull(workloads);
        if (workloads.Count == 0)
        {
            sink.Publish(new ConvergenceFinished([], Converged: true));
            return new RolloutResult(true, []);
        }

        var deadline = DateTime.UtcNow + timeout;
        var stackObjects = new ObservedStack(client, @namespace, $"{StackLabels.StackNamespace}={stack}", workloads.Select(w => w.Kind));
        var tracker = new RolloutTracker(workloads, failFastAfter);
        await stackObjects.ListAllAsync(cancellationToken).ConfigureAwait(false);
        var lastList = DateTime.UtcNow;

        using var changed = new SemaphoreSlim(0);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IReadOnlyList<Task> watches = [];
        try
        {
            IReadOnlyList<Corev1Event> events = [];
            var eventsRead = DateTime.MinValue;
            while (true)
            {
                var now = DateTime.UtcNow;
                var pods = stackObjects.Pods.Items;
                var services = tracker.Observe(stackObjects.Get, pods, events, now);
                if (now - eventsRead >= pollInterval && (services.Any(s => !s.Problems.IsEmpty) || pods.Any(PodProblemClassifier.NeedsEvents)))
                {
                    events = await ListEventsAsync(cancellationToken).ConfigureAwait(false);
                    eventsRead = now;
                    services = tracker.Observe(stackObjects.Get, pods, events, now);
                }

                var progress = services.Select(s => s.Progress).ToList();
                var converged = progress.All(p => p.Done);
                if (converged || progress.All(p => p.Done || p.Failed) || now >= deadline)
                {
                    var failures = converged ? [] : await FailuresAsync(services, workloads, pods, cancellationToken).ConfigureAwait(false);
                    sink.Publish(new ConvergenceFinished([.. progress], converged));
                    return new RolloutResult(converged, failures);
                }

                sink.Publish(new ServicesProgressed([.. progress]));

                // Watches start only now: a stack that is already settled (an unchanged redeploy) costs its LISTs alone.
                if (watches.Count == 0 && client is k8s.Kubernetes kubernetes)
                {
                    watches = stackObjects.StartWatches(kubernetes, () => WatchSeconds(deadline), () => changed.Release(), stopWatching.Token);
                }

                var wait = Min(pollInterval, deadline - now);
                if (stackObjects.AllWatching)
                {
                    await changed.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // Some kinds are polled: still wake early on what the working watches report.
                    await changed.WaitAsync(Min(wait, lastList + pollInterval - DateTime.UtcNow), cancellationToken).ConfigureAwait(false);
                    if (DateTime.UtcNow - lastList >= pollInterval || DateTime.UtcNow >= deadline)
                    {
                        await stackObjects.ListUnwatchedAsync(cancellationToken).ConfigureAwait(false);
                        lastList = DateTime.UtcNow;
                    }
                }

                // A burst of watch events needs one evaluation, not one each.
                while (changed.CurrentCount > 0 && changed.Wait(0, CancellationToken.None))
                {
                }
            }
        }
        finally
        {
            await stopWatching.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(watches).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The watches end by cancellation; the caller's own cancellation propagates from the loop.
            }
        }
    }

    /// <summary>Events only add detail: when they cannot be read (RBAC may deny them), the wait goes on (or fails) without them.</summary>
    private async Task<IReadOnlyList<Corev1Event>> ListEventsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await client.CoreV1.ListNamespacedEventAsync(@namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return [.. list.Items];
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>Failure lines with fresh events: the latest Warning events usually say what the pods' states do not.</summary>
    private async Task<ImmutableArray<string>> FailuresAsync(ImmutableArray<ServiceRollout> services, IReadOnlyList<WorkloadRef> workloads, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var events = await ListEventsAsync(cancellationToken).ConfigureAwait(false);
        var podServices = pods
            .Where(p => p.Metadata?.Name is not null && PodProblemClassifier.ServiceOf(p) is not null)
            .ToDictionary(p => p.Metadata.Name, p => PodProblemClassifier.ServiceOf(p)!, StringComparer.Ordinal);
        var workloadServices = workloads
            .GroupBy(w => w.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Service, StringComparer.Ordinal);
        return RolloutFailures.Lines(services, service => WarningEvents.For(events, podServices, workloadServices, service));
    }

    private static int WatchSeconds(DateTime deadline)
        => (int)Math.Clamp(Math.Ceiling((deadline - DateTime.UtcNow).TotalSeconds) + 1, 1, MaxWatchSeconds);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => TimeSpan.FromTicks(Math.Max(0, Math.Min(a.Ticks, b.Ticks)));
}
