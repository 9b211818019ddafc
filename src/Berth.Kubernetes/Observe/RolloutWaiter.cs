using System.Collections.Immutable;
using Berth.Stacks.Progress;
using k8s;

namespace Berth.Kubernetes.Observe;

/// <summary>How the wait ended: converged, or the failures (service: reason, with recent events), one line each.</summary>
public sealed record RolloutResult(bool Converged, ImmutableArray<string> Failures);

/// <summary>
/// Waits for workloads to roll out (observed generation, updated/ready/available replicas; Jobs complete), reporting
/// per-service progress and surfacing pod problems early with their reason (ImagePullBackOff, CrashLoopBackOff,
/// Unschedulable, failing probes, OOMKilled) and recent events.
/// </summary>
public sealed class RolloutWaiter(IKubernetes client, string @namespace, IConvergenceReporter reporter)
{
    public Task<RolloutResult> WaitAsync(string stack, IReadOnlyList<WorkloadRef> workloads, TimeSpan timeout, TimeSpan failFastAfter, TimeSpan pollInterval, CancellationToken cancellationToken)
        => throw new NotImplementedException(string.Join(",", client, @namespace, reporter, stack, workloads, timeout, failFastAfter, pollInterval, cancellationToken));
}
