using System.Collections.Immutable;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// What a deploy did. Objects are named <c>Kind/name</c>. <see cref="Writes"/> counts mutating API requests.
/// When <see cref="Collisions"/> or <see cref="Refusals"/> is not empty nothing was changed.
/// </summary>
internal sealed record KubernetesDeployResult(
    ImmutableArray<string> Created,
    ImmutableArray<string> Updated,
    ImmutableArray<string> Unchanged,
    ImmutableArray<string> Removed,
    ImmutableArray<ObjectChange> Collisions,
    int Writes,
    bool Converged,
    ImmutableArray<string> Failures)
{
    /// <summary>Objects deleted and created again (also listed as created): an immutable field changed, or the workload's kind.</summary>
    public ImmutableArray<string> Replaced { get; init; } = [];

    /// <summary>Replacements that would lose or detach data: when not empty nothing was changed.</summary>
    public ImmutableArray<ObjectChange> Refusals { get; init; } = [];
}
