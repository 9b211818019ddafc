using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Kubernetes.Convert;
using Berth.Stacks.Events;
using Berth.Swarm.Apply;

namespace Berth.StackService;

/// <summary>
/// A deploy (or its plan): the loaded Compose project under the stack's name and the options. Options of one
/// orchestrator are ignored by the other (front ends refuse them up front, as <c>berth stack</c> does).
/// </summary>
public sealed record StackDeployRequest(string Stack, ComposeProject Project)
{
    /// <summary>Return once the changes are sent, without waiting for convergence.</summary>
    public bool Detach { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Swarm: remove the stack's objects the file no longer names (Kubernetes always prunes).</summary>
    public bool Prune { get; init; }

    /// <summary>Swarm: restore the previous spec of services this deploy updated that fail to converge.</summary>
    public bool RollbackOnFailure { get; init; }

    /// <summary>Swarm: how long every service must stay healthy to count as converged.</summary>
    public TimeSpan Stability { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>--resolve-image</c>: pin image tags to registry digests before writing. Null: the orchestrator's default,
    /// <c>always</c> on Swarm (as docker), <c>never</c> on Kubernetes (the kubelet pulls; see docs/design/image-trust.md).
    /// </summary>
    public ImageResolution? ResolveImage { get; init; }

    /// <summary>Swarm: send the docker CLI's stored registry credentials with service writes (warnings as <see cref="StackWarning"/>).</summary>
    public bool WithRegistryAuth { get; init; }

    /// <summary>Kubernetes: prune (and plan) also the stack's PersistentVolumeClaims.</summary>
    public bool Volumes { get; init; }

    /// <summary>Kubernetes: the Service type of published ports.</summary>
    public PublishedServiceType ServiceType { get; init; } = PublishedServiceType.LoadBalancer;

    /// <summary>Kubernetes: one NetworkPolicy per Compose network.</summary>
    public bool NetworkPolicies { get; init; }

    /// <summary>History: how many revisions to keep after this deploy records one (0: record none and remove the stack's history).</summary>
    public int HistoryMax { get; init; } = History.RevisionHistory.DefaultMax;

    /// <summary>History: the note the revision this deploy records carries (a rollback's <c>rollback to N</c>).</summary>
    public string? RevisionNote { get; init; }

    /// <summary>The contents of secrets' and configs' files and variables, when not read now (a rollback's stored config contents).</summary>
    public ImmutableDictionary<string, ImmutableArray<byte>>? ResourceContents { get; init; }

    /// <summary>Kubernetes (<c>--recreate</c>): make the StatefulSet replacements a deploy otherwise refuses (deleted with propagationPolicy=Orphan, claims kept and re-attached by name).</summary>
    public bool Recreate { get; init; }

    /// <summary>Kubernetes: the controlling ownerReference every namespaced object applied carries (berth-controller's stack); unset, none.</summary>
    public StackObjectOwner? OwnerReference { get; init; }

    /// <summary>The deploy policy checked before anything is written (<see cref="StackPolicyGate"/>); unset, none.</summary>
    public Policy.Model.DeployPolicy? Policy { get; init; }

    /// <summary>
    /// Kubernetes: also read the target namespace's Pod Security admission labels and check them with
    /// <see cref="Policy"/> (even when it is unset), so the user hears a violation at its line before the cluster
    /// refuses a pod. Front ends that report a denied policy set it (the CLI, the console); off, the namespace is not read.
    /// </summary>
    public bool NamespacePodSecurity { get; init; }

    /// <summary>
    /// Kubernetes: the target namespace's labels as the caller read them with its own credentials (berth-controller,
    /// whose stack owners often may not read their namespace); when set, its Pod Security labels are checked as with
    /// <see cref="NamespacePodSecurity"/>, and the namespace is not read again.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NamespaceLabels { get; init; }
}

/// <summary>Published first by plan and deploy: the conversion's diagnostics (warnings, and errors when the stack cannot run as written).</summary>
public sealed record StackConverted(StackOrchestrator Orchestrator, ImmutableArray<Diagnostic> Diagnostics) : StackEvent;

/// <summary>Kubernetes: the deploy is about to apply, into this namespace of the cluster named by <see cref="Source"/>.</summary>
public sealed record DeployStarting(string Stack, string Namespace, string Source) : StackEvent;

/// <summary>One changed field, live value → desired value (env values never); a null From is an addition, a null To a removal.</summary>
public sealed record StackFieldChange(string Field, string? From, string? To, string Text);

/// <summary>
/// One object a deploy would touch: <see cref="Action"/> is create, update, remove or (Kubernetes) replace (deleted and
/// created again) or collision; <see cref="Kind"/> the orchestrator's word. Updates list the changed fields and, on
/// Swarm, their values; replacements the fields the orchestrator will not change in place.
/// </summary>
public sealed record StackChange(string Action, string Kind, string Name, ImmutableArray<string> Fields, string? Reason)
{
    public ImmutableArray<StackFieldChange> Values { get; init; } = [];

    /// <summary>Kubernetes: a replacement a deploy refuses (data would be lost or detached): why, and how to proceed.</summary>
    public StackRefusal? Refused { get; init; }
}

/// <summary>A replacement a deploy will not make (nothing is written): the message names what would be lost; <see cref="Recreatable"/>: <c>--recreate</c> makes it.</summary>
public sealed record StackRefusal(string Kind, string Name, string Message, string Hint, bool Recreatable);

/// <summary>What a deploy would change. <see cref="Invalid"/>: the stack cannot run on the orchestrator as written (see the diagnostics).</summary>
public sealed record StackPlanResult(StackOrchestrator Orchestrator, string Stack, ImmutableArray<StackChange> Changes, int Unchanged)
{
    public bool Invalid { get; init; }

    /// <summary>The deploy policy's verdict (also published as an event); null without a policy.</summary>
    public StackPolicyChecked? PolicyCheck { get; init; }

    /// <summary>The deploy policy denies the stack: nothing was planned.</summary>
    public bool PolicyDenied => PolicyCheck?.Denied == true;

    public bool HasChanges => !Changes.IsEmpty;
}

/// <summary>An object of a planned name that does not carry the stack's label: nothing is changed.</summary>
public sealed record StackCollision(string Kind, string Name, string? Reason);

/// <summary>
/// What a deploy did. Names are Swarm service names or Kubernetes <c>Kind/name</c>. <see cref="Writes"/> counts
/// mutating requests. With <see cref="Collisions"/>, <see cref="Refusals"/>, <see cref="Invalid"/> or <see cref="PolicyDenied"/>, nothing was changed.
/// </summary>
public sealed record StackDeployResult(StackOrchestrator Orchestrator, string Stack)
{
    public bool Invalid { get; init; }

    /// <summary>The deploy policy's verdict (also published as an event); null without a policy.</summary>
    public StackPolicyChecked? PolicyCheck { get; init; }

    /// <summary>The deploy policy denies the stack: nothing was written.</summary>
    public bool PolicyDenied => PolicyCheck?.Denied == true;

    /// <summary>Kubernetes: the namespace deployed to.</summary>
    public string? Namespace { get; init; }

    public ImmutableArray<string> Created { get; init; } = [];

    public ImmutableArray<string> Updated { get; init; } = [];

    public ImmutableArray<string> Unchanged { get; init; } = [];

    public ImmutableArray<string> Removed { get; init; } = [];

    public ImmutableArray<StackCollision> Collisions { get; init; } = [];

    /// <summary>Kubernetes: objects deleted and created again (also counted as created).</summary>
    public ImmutableArray<string> Replaced { get; init; } = [];

    /// <summary>Kubernetes: replacements refused because data would be lost or detached; nothing was changed.</summary>
    public ImmutableArray<StackRefusal> Refusals { get; init; } = [];

    public int Writes { get; init; }

    public bool Converged { get; init; }

    /// <summary>Per service that did not converge: <c>name: reason</c>.</summary>
    public ImmutableArray<string> Failures { get; init; } = [];

    /// <summary>Swarm: services rolled back to their previous spec.</summary>
    public ImmutableArray<string> RolledBack { get; init; } = [];

    /// <summary>Swarm: failing services that could not be rolled back (created by this deploy).</summary>
    public ImmutableArray<string> NotRolledBack { get; init; } = [];

    /// <summary>The timeout the wait had, and how long the deploy took (a wait that stopped early could not converge).</summary>
    public TimeSpan Timeout { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>History: the revision this deploy recorded, or null (not successful, unchanged, or <c>--history-max 0</c>).</summary>
    public int? Revision { get; init; }
}

/// <summary><see cref="AllNamespaces"/>: Kubernetes stacks of every namespace, not only the current one.</summary>
public sealed record StackListOptions(bool AllNamespaces = false);

/// <summary>A stack: its name, number of services and (Kubernetes) namespace; empty on Swarm.</summary>
public sealed record StackSummary(string Name, int Services, StackOrchestrator Orchestrator, string Namespace);

/// <summary>
/// Replica counts as docker shows them: running of desired; a job's completed of total; a per-node maximum.
/// </summary>
public sealed record ReplicaCounts(ulong Running, ulong Desired)
{
    /// <summary>Jobs: completions so far and in all.</summary>
    public (ulong Completed, ulong Total)? Job { get; init; }

    /// <summary>Swarm: at most this many replicas per node (0: no limit).</summary>
    public ulong MaxPerNode { get; init; }
}

/// <summary>
/// A service of the stack. <see cref="Id"/> is 12 characters; <see cref="Image"/> as docker lists it; <see cref="Ports"/>
/// the published ports as docker prints them (<c>*:8080->80/tcp</c>; Kubernetes <c>203.0.113.7:8080->80/TCP</c>).
/// </summary>
public sealed record StackServiceInfo(string Id, string Name, string Mode, ReplicaCounts Replicas, string Image, string Ports);

/// <summary>
/// A task (Swarm) or pod (Kubernetes). <see cref="Id"/> is complete; <see cref="Image"/> as stored and
/// <see cref="ListedImage"/> as docker lists it; <see cref="State"/> since <see cref="StateSince"/> (Swarm); the error
/// complete. <see cref="Restarts"/> only on Kubernetes.
/// </summary>
public sealed record StackTaskInfo(
    string Id,
    string Name,
    string Image,
    string ListedImage,
    string Node,
    string DesiredState,
    string State,
    DateTime? StateSince,
    string Error,
    string Ports,
    DateTime? CreatedAt,
    DateTime? UpdatedAt)
{
    public int? Restarts { get; init; }
}

/// <summary><see cref="Wait"/> (Swarm): until no task and network of the stack is left, up to <see cref="Timeout"/>. <see cref="Volumes"/> (Kubernetes): claims too.</summary>
public sealed record StackRemoveOptions
{
    public bool Wait { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public bool Volumes { get; init; }
}

/// <summary>What a removal did: objects removed (Swarm <c>kind name</c>, Kubernetes <c>Kind/name</c>) and claims kept.</summary>
public sealed record StackRemoveResult(string Stack, ImmutableArray<string> Removed, ImmutableArray<string> KeptVolumes)
{
    public bool Found => !Removed.IsEmpty || !KeptVolumes.IsEmpty;
}
