using System.Collections.Immutable;

namespace Berth.StackService;

/// <summary>One <c>SERVICE=N</c>: the Compose service name (or the Swarm name <c>&lt;stack&gt;_&lt;service&gt;</c>) and the replicas wanted.</summary>
public sealed record StackScaleTarget(string Service, int Replicas);

/// <summary>How a scale runs: <see cref="Detach"/> returns once written; otherwise waits up to <see cref="Timeout"/>.</summary>
public sealed record StackScaleOptions
{
    public bool Detach { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Swarm: how long the scaled services must stay healthy to count as converged (as deploy).</summary>
    public TimeSpan Stability { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>A target that cannot be scaled: the Compose service name and why (one line).</summary>
public sealed record StackScaleRefusal(string Service, string Reason);

/// <summary>One scaled service: its Compose name, the object written (Swarm service or Kubernetes <c>Kind/name</c>), replicas before and after.</summary>
public sealed record StackScaled(string Service, string Object, int From, int To)
{
    /// <summary>Already at the wanted count: nothing was written for it.</summary>
    public bool Unchanged => From == To;
}

/// <summary>
/// What a scale did. With <see cref="Invalid"/> (any <see cref="Refused"/> target) nothing was written and
/// <see cref="Services"/> lists the stack's services (for a hint). <see cref="Writes"/> counts mutating requests.
/// </summary>
public sealed record StackScaleResult(StackOrchestrator Orchestrator, string Stack)
{
    public ImmutableArray<StackScaled> Scaled { get; init; } = [];

    public ImmutableArray<StackScaleRefusal> Refused { get; init; } = [];

    /// <summary>The stack's Compose service names, sorted (empty: the stack was not found).</summary>
    public ImmutableArray<string> Services { get; init; } = [];

    public bool Invalid => !Refused.IsEmpty;

    public int Writes { get; init; }

    public bool Converged { get; init; } = true;

    public ImmutableArray<string> Failures { get; init; } = [];

    /// <summary>Kubernetes: the namespace; empty on Swarm.</summary>
    public string Namespace { get; init; } = string.Empty;

    public TimeSpan Timeout { get; init; }
}
