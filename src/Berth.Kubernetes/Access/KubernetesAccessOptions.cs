namespace Berth.Kubernetes.Access;

/// <summary>How to reach the cluster, as kubectl's flags say it; unset values come from KUBECONFIG, the context or in-cluster config.</summary>
public sealed record KubernetesAccessOptions
{
    /// <summary><c>--kubeconfig</c>: one file; when unset, <c>KUBECONFIG</c> (several files, merged) then <c>~/.kube/config</c>, then in-cluster config.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary><c>--context</c>: a context of the kubeconfig; default its current-context.</summary>
    public string? Context { get; init; }

    /// <summary><c>--namespace</c>: default the context's namespace, then <c>default</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// Every request is made as this identity with the resolved credentials (kubectl's <c>--as</c> family), one header
    /// line per group and extra value (<see cref="ImpersonatingHandler"/>); null: as the credentials' own user.
    /// </summary>
    public Impersonation? Impersonate { get; init; }
}
