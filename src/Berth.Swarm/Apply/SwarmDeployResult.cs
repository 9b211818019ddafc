using System.Collections.Immutable;

namespace Berth.Swarm.Apply;

/// <summary>What a deploy did; <see cref="Writes"/> counts the mutating Engine API calls it made.</summary>
internal sealed record SwarmDeployResult(ImmutableArray<string> Created, ImmutableArray<string> Updated, ImmutableArray<string> Unchanged, ImmutableArray<string> Removed, int Writes, bool Converged, ImmutableArray<string> Failures)
{
    /// <summary>Services rolled back to their previous spec after failing to converge (<see cref="SwarmDeployOptions.RollbackOnFailure"/>).</summary>
    public ImmutableArray<string> RolledBack { get; init; } = [];

    /// <summary>Services that failed but could not be rolled back: created by this deploy, so there is no previous spec.</summary>
    public ImmutableArray<string> NotRolledBack { get; init; } = [];
}
