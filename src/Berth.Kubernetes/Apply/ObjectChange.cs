using System.Collections.Immutable;

namespace Berth.Kubernetes.Apply;

internal enum ObjectAction
{
    Create,
    Update,

    /// <summary>A field the server will not change (see <see cref="ImmutableFields"/>), or the workload changes kind: deleted and created again.</summary>
    Replace,
    Remove,

    /// <summary>An object of that kind and name exists and does not carry the stack's label: never overwritten.</summary>
    Collision,
}

/// <summary>One object a deploy would touch: for updates the changed field paths (never values), for removals and collisions why.</summary>
internal sealed record ObjectChange(ObjectAction Action, string Kind, string Name, ImmutableArray<string> Fields, string? Reason)
{
    /// <summary>A replacement Berth will not make on its own (data would be lost or detached): what, and how to proceed.</summary>
    public Refusal? Refused { get; init; }

    /// <summary><c>Kind/name</c>, as results and messages name objects.</summary>
    public string Id => $"{Kind}/{Name}";
}

/// <summary>What a deploy would do, from reads only.</summary>
internal sealed record KubernetesChangeSet(ImmutableArray<ObjectChange> Changes, ImmutableArray<string> Unchanged)
{
    public bool HasChanges => !Changes.IsEmpty;

    public ImmutableArray<ObjectChange> Collisions => [.. Changes.Where(c => c.Action == ObjectAction.Collision)];

    public ImmutableArray<ObjectChange> Refusals => [.. Changes.Where(c => c.Refused is not null)];
}

/// <summary>
/// Why a replacement is not made (one line, names the claims at stake) and how to proceed. <see cref="Recreatable"/>:
/// <c>--recreate</c> makes it (a StatefulSet deleted with propagationPolicy=Orphan and created again, its claims kept).
/// </summary>
internal sealed record Refusal(string Message, string Hint, bool Recreatable);
