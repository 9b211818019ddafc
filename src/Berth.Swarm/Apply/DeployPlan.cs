using System.Collections.Immutable;
using Berth.Swarm.Convert;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>What a change does to one object.</summary>
internal enum ChangeAction
{
    Create,
    Update,
    Remove,
}

/// <summary>
/// One change a deploy would make. <see cref="Fields"/> names the spec fields that differ, <see cref="Changes"/>
/// gives their values (live → desired; env and secrets by name only); <see cref="Reason"/> says why a removal happens.
/// </summary>
internal sealed record PlannedChange(string Kind, string Name, ChangeAction Action, ImmutableArray<string> Fields, string? Reason)
{
    /// <summary>The engine object's ID, for updates and removals.</summary>
    internal string? Id { get; init; }

    /// <summary>For service creates and updates: what to write.</summary>
    internal SwarmServicePlan? Service { get; init; }

    /// <summary>For service updates: the engine's current service (its version and ForceUpdate are reused).</summary>
    internal SwarmService? Existing { get; init; }

    /// <summary>For service updates: each changed field with its live and desired value.</summary>
    public ImmutableArray<SpecChange> Changes { get; init; } = [];

    /// <summary>For service updates: only Berth's labels differ, so the live spec is rewritten with new labels.</summary>
    internal bool LabelsOnly { get; init; }
}

/// <summary>
/// Everything a deploy would change, in the order it would change it: networks, secrets, configs, services, then
/// removals (services, secrets, configs, networks). Computed from reads only; <c>stack diff</c> prints it.
/// </summary>
internal sealed record DeployPlan(string Stack, ImmutableArray<PlannedChange> Changes, ImmutableArray<string> UnchangedServices)
{
    public bool HasChanges => !Changes.IsEmpty;

    internal IEnumerable<PlannedChange> Of(string kind, ChangeAction action) => Changes.Where(c => c.Kind == kind && c.Action == action);
}
