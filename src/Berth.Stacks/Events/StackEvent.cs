using System.Collections.Immutable;
using Berth.Stacks.Progress;

namespace Berth.Stacks.Events;

/// <summary>
/// Something a stack operation did or saw, as data: the deployers, waiters and removers of both orchestrators publish
/// these instead of writing text, so the CLI, a web console or a controller can each show them their own way.
/// </summary>
public abstract record StackEvent;

/// <summary>What is being done to one object.</summary>
public enum ObjectStep
{
    Create,
    Update,

    /// <summary>
    /// Deleted and created again: a Kubernetes Job's spec, or a field the API server will not change (then in
    /// <see cref="ObjectWriting.Fields"/>), or a workload that changes kind (<see cref="ObjectWriting.Replaces"/>).
    /// </summary>
    Replace,
    Remove,
}

/// <summary>Why an update is made, when it is not simply "these fields changed".</summary>
public enum UpdateCause
{
    /// <summary>The fields in <see cref="ObjectWriting.Fields"/> differ.</summary>
    Changed,

    /// <summary>Only Berth's labels are written (a stack taken over from docker stack deploy): no task restarts.</summary>
    LabelsOnly,

    /// <summary>A concurrent deploy created the object with another spec between this deploy's read and its create.</summary>
    ConcurrentOtherSpec,

    /// <summary>Kubernetes: the namespace did not exist and is created.</summary>
    NamespaceMissing,
}

/// <summary>
/// An object is about to be written. <see cref="Kind"/> is the orchestrator's own word (<c>service</c>, <c>network</c>
/// on Swarm; <c>Deployment</c>, <c>Secret</c> on Kubernetes); <see cref="Id"/> is the Swarm service ID on updates.
/// </summary>
public sealed record ObjectWriting(ObjectStep Step, string Kind, string Name) : StackEvent
{
    public string? Id { get; init; }

    /// <summary>Updates: the changed fields (names or paths, never values).</summary>
    public ImmutableArray<string> Fields { get; init; } = [];

    public UpdateCause Cause { get; init; }

    /// <summary>Replacements: the kind of the object of this name it replaces, when that kind differs (Deployment → StatefulSet).</summary>
    public string? Replaces { get; init; }
}

/// <summary>
/// A write failed. For a removal that is reported and not fatal (<see cref="Error"/> is the orchestrator's message);
/// for an apply the operation stops and the error reaches the caller as an exception.
/// </summary>
public sealed record ObjectWriteFailed(ObjectStep Step, string Kind, string Name, string? Error) : StackEvent;

/// <summary>Swarm: a concurrent deploy of the same stack created this network first; it carries the stack's label and is used.</summary>
public sealed record ConcurrentNetworkUsed(string Name, string Stack) : StackEvent;

/// <summary>Swarm: a concurrent deploy created this service first with the same spec; it is left as it is.</summary>
public sealed record ConcurrentServiceKept(string Name) : StackEvent;

/// <summary>Swarm: the image's digest could not be read from a registry, so the tag is sent as written (docker's warning).</summary>
public sealed record ImageNotPinned(string Image) : StackEvent;

/// <summary>Swarm: a failing service this deploy updated is being rolled back to its previous spec.</summary>
public sealed record RollbackStarting(string Service) : StackEvent;

/// <summary>Swarm: a failing service cannot be rolled back: the engine has no previous spec for it.</summary>
public sealed record RollbackUnavailable(string Service) : StackEvent;

/// <summary>Swarm: a deploy waits for an earlier <c>stack rm</c> of the same stack to finish (tasks stopping, networks left).</summary>
public sealed record PreviousRemovalPending(string Stack, int Tasks, ImmutableArray<string> Networks) : StackEvent;

/// <summary>Swarm <c>rm --wait</c>: what of the stack is still there.</summary>
public sealed record RemovalPending(string Stack, int Tasks, ImmutableArray<string> Networks) : StackEvent;

/// <summary>Swarm <c>rm --wait</c>: no task and no network of the stack is left.</summary>
public sealed record StackRemoved(string Stack) : StackEvent;

/// <summary>Kubernetes: a kind only prune needs cannot be listed (not served, or not allowed), so it is not pruned.</summary>
public sealed record KindSkipped(string Resource, bool NotServed) : StackEvent;

/// <summary>Kubernetes: the user may not read the Namespace object; it is used as it is.</summary>
public sealed record NamespaceNotReadable(string Namespace) : StackEvent;

/// <summary>A warning for the user that is not about one object (e.g. registry credentials that cannot be sent).</summary>
public sealed record StackWarning(string Message) : StackEvent;

/// <summary>While waiting: every service's counts and state (e.g. <c>web 2/3 starting</c>, or a failing task's reason).</summary>
public sealed record ServicesProgressed(ImmutableArray<ServiceProgress> Services) : StackEvent;

/// <summary>The wait ended: the last state of every service and whether all converged.</summary>
public sealed record ConvergenceFinished(ImmutableArray<ServiceProgress> Services, bool Converged) : StackEvent;
