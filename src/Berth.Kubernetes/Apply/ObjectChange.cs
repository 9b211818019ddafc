using System.Collections.Immutable;

namespace Berth.Kubernetes.Apply;

internal enum ObjectAction
{
    Create,
    Update,
    Remove,

    /// <summary>An object of that kind and name exists and does not carry the stack's label: never overwritten.</summary>
    Collision,
}

/// <summary>One object a deploy would touch: for updates the changed field paths (never values), for removals and collisions why.</summary>
internal sealed record ObjectChange(ObjectAction Action, string Kind, string Name, ImmutableArray<string> Fields, string? Reason)
{
    /// <summary><c>Kind/name</c>, as results and messages name objects.</summary>
    public string Id => $"{Kind}/{Name}";
}

/// <summary>What a deploy would do, from reads only.</summary>
internal sealed record KubernetesChangeSet(ImmutableArray<ObjectChange> Changes, ImmutableArray<string> Unchanged)
{
    public bool HasChanges => !Changes.IsEmpty;

    public ImmutableArray<ObjectChange> Collisions => [.. Changes.Where(c => c.Action == ObjectAction.Collision)];
}
