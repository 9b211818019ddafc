using System.Collections.Immutable;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// What a deploy did. Objects are named <c>Kind/name</c>. <see cref="Writes"/> counts mutating API requests.
/// When <see cref="Collisions"/> is not empty nothing was changed.
/// </summary>
internal sealed record KubernetesDeployResult(
    ImmutableArray<string> Created,
    ImmutableArray<string> Updated,
    ImmutableArray<string> Unchanged,
    ImmutableArray<string> Removed,
    ImmutableArray<ObjectChange> Collisions,
    int Writes,
    bool Converged,
    ImmutableArray<string> Failures);
