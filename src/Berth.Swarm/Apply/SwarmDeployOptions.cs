namespace Berth.Swarm.Apply;

/// <summary>How a deploy behaves.</summary>
internal sealed record SwarmDeployOptions
{
    /// <summary>Remove the stack's services, networks, secrets and configs the plan no longer names.</summary>
    public bool Prune { get; init; }

    /// <summary>Return once the writes are done instead of waiting for convergence.</summary>
    public bool Detach { get; init; }

    /// <summary>When a service this deploy updated does not converge, ask the engine to restore its previous spec.</summary>
    public bool RollbackOnFailure { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a service must stay healthy before it counts as converged; docker's monitor period (5s) by default.</summary>
    public TimeSpan Stability { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>--resolve-image</c>: pin <c>image@digest</c> on the services this deploy writes (docker's default: always).</summary>
    public ImageResolution ResolveImage { get; init; } = ImageResolution.Always;

    /// <summary><c>--with-registry-auth</c>: send each image's registry credentials with service creates and updates; null sends none.</summary>
    public DockerRegistryCredentials? RegistryCredentials { get; init; }
}
