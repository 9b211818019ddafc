namespace Berth.Kubernetes.ApiDouble;

/// <summary>What the simulated kubelet makes go wrong with a service's pods.</summary>
public enum PodProblem
{
    /// <summary>Pending; container waiting with reason ImagePullBackOff; Warning events Failed and BackOff.</summary>
    ImagePullBackOff,

    /// <summary>Running; container waiting with CrashLoopBackOff, restarts, last exit code 1; Warning event BackOff.</summary>
    CrashLoopBackOff,

    /// <summary>Pending, no node; PodScheduled=False reason Unschedulable; Warning event FailedScheduling.</summary>
    Unschedulable,

    /// <summary>Like CrashLoopBackOff, but the last termination reason is OOMKilled (exit code 137).</summary>
    OOMKilled,

    /// <summary>Running but not ready; Warning event Unhealthy "Readiness probe failed: ...".</summary>
    ReadinessProbeFailed,
}
