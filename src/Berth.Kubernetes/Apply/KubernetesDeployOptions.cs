namespace Berth.Kubernetes.Apply;

/// <summary>How a Kubernetes deploy behaves.</summary>
internal sealed record KubernetesDeployOptions
{
    /// <summary>Return once the objects are applied, without waiting for rollouts.</summary>
    public bool Detach { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Prune also deletes the stack's PersistentVolumeClaims the plan no longer names (<c>--volumes</c>).</summary>
    public bool PruneVolumes { get; init; }

    /// <summary>
    /// Make the replacements a deploy otherwise refuses where Kubernetes keeps the data (<c>--recreate</c>): a StatefulSet
    /// is deleted with propagationPolicy=Orphan (pods and claims stay) and created again, its claims re-attached by name.
    /// </summary>
    public bool Recreate { get; init; }

    /// <summary>Most requests in flight at once within one dependency group.</summary>
    public int Parallelism { get; init; } = DefaultParallelism;

    /// <summary>Requests in flight at once unless <see cref="Parallelism"/> says otherwise (also <c>stack rm</c>'s).</summary>
    public const int DefaultParallelism = 8;

    /// <summary>A pod problem that cannot heal by itself (image pull, crash loop, unschedulable, OOM) fails the wait once it has lasted this long.</summary>
    public TimeSpan FailFastAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest pause between status reads while waiting (watch events wake the waiter earlier).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
