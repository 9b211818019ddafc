namespace Berth.Kubernetes.Install;

/// <summary>How stacks are served: by berth-apiserver behind APIServices (with etcd), or as a CustomResourceDefinition.</summary>
public enum InstallMode
{
    Aggregated,
    Crd,
}

/// <summary>What <c>berth system install</c> was asked for; the manifests are a function of this and the TLS material.</summary>
public sealed record InstallOptions
{
    public const string DefaultNamespace = "berth-system";

    public InstallMode Mode { get; init; } = InstallMode.Aggregated;

    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>External etcd (comma-separated URLs); null: an etcd StatefulSet is installed (aggregated mode only).</summary>
    public string? EtcdServers { get; init; }

    /// <summary>The image of berth-apiserver and berth-controller (one image holds both executables).</summary>
    public required string Image { get; init; }

    /// <summary>Replicas of each Deployment (the controllers elect a leader; the API servers all serve).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>
    /// The cluster deploy policy (the ConfigMap berth-policy's key policy.yaml: a policy document or a profile name);
    /// null: no ConfigMap is written, and one already there is left as it is.
    /// </summary>
    public string? Policy { get; init; }

    /// <summary>The ConfigMap's key mode (warn or enforce); null: the policy's own mode.</summary>
    public string? PolicyMode { get; init; }
}
