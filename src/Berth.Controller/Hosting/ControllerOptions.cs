namespace Berth.Controller.Hosting;

/// <summary>
/// berth-controller's settings, from its command line. The leader-election ones carry kube-controller-manager's flag
/// names and defaults (15 s / 10 s / 2 s, as client-go's leaderelection and controller-runtime's manager use).
/// The controller may add a property at the end.
/// </summary>
internal sealed record ControllerOptions
{
    /// <summary>The cluster (null: KUBECONFIG, ~/.kube/config, then the in-cluster service account).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The one namespace to watch; null watches all namespaces.</summary>
    public string? Namespace { get; init; }

    public int Workers { get; init; } = 4;

    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    public bool LeaderElect { get; init; } = true;

    public string LeaseNamespace { get; init; } = "berth-system";

    public string LeaseName { get; init; } = "berth-controller";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where /healthz, /readyz and /metrics are served (plain HTTP; kube-controller-manager's port).</summary>
    public string HealthBindAddress { get; init; } = "127.0.0.1:10257";

    /// <summary>Which server serves stacks, so where owners are read (<c>--stack-source</c>); Auto asks discovery at start.</summary>
    public Reconcile.StackSource StackSource { get; init; } = Reconcile.StackSource.Auto;

    /// <summary>The install namespace, where the cluster deploy policy ConfigMap (berth-policy) is read (<c>--policy-namespace</c>).</summary>
    public string PolicyNamespace { get; init; } = Berth.Policy.Cluster.ClusterPolicyConfigMap.DefaultNamespace;

    /// <summary>How long a read of the policy ConfigMap is used before it is read again (zero: every reconcile).</summary>
    public TimeSpan PolicyCacheTimeToLive { get; init; } = Berth.Policy.Cluster.ClusterPolicySource.DefaultTimeToLive;
}
