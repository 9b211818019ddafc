using System.Collections.Immutable;
using Berth.Stacks.Events;

namespace Berth.StackService;

/// <summary>The orchestrators a stack can run on.</summary>
public enum StackOrchestrator
{
    Swarm,
    Kubernetes,
}

/// <summary>What an orchestrator's answers hold beyond the common shape, so a front end can choose its columns up front.</summary>
/// <param name="TaskHistory">Tasks include a slot's older tasks (Swarm keeps them), to be shown under the current one.</param>
/// <param name="TaskRestarts">Tasks carry a restart count (Kubernetes pods).</param>
/// <param name="Namespaces">Stacks live in namespaces (Kubernetes).</param>
public sealed record StackCapabilities(bool TaskHistory, bool TaskRestarts, bool Namespaces);

/// <summary>
/// Every stack operation, for one orchestrator: Swarm (<see cref="StackServices.Swarm"/>) or Kubernetes
/// (<see cref="StackServices.Kubernetes"/>). Results are typed records; what happens along the way (objects
/// written, per-service progress, warnings) is published to the caller's <see cref="IStackEventSink"/> as
/// <see cref="StackEvent"/> records. Nothing here prints. An implementation connects on its first call, so opening
/// one never fails; an orchestrator that cannot be reached or refuses is a <see cref="StackOrchestratorException"/>,
/// a bad filter a <see cref="StackUsageException"/> (before any request), cancellation an
/// <see cref="OperationCanceledException"/>. Logs, scale, history and rollback are in the other parts of this partial interface (docs/design/stack-service.md).
/// </summary>
public partial interface IStackService : IDisposable
{
    StackOrchestrator Orchestrator { get; }

    StackCapabilities Capabilities { get; }

    /// <summary>What a deploy of the request would change, from reads only (<c>stack diff</c>).</summary>
    Task<StackPlanResult> PlanAsync(StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken);

    /// <summary>Converts, applies, prunes and (unless detached) waits for the stack to converge.</summary>
    Task<StackDeployResult> DeployAsync(StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken);

    /// <summary>The stacks this orchestrator holds, sorted by name (then namespace).</summary>
    Task<ImmutableArray<StackSummary>> ListAsync(StackListOptions options, CancellationToken cancellationToken);

    /// <summary>The stack's services, sorted by name; <paramref name="filters"/> are docker's <c>key=value</c> filters.</summary>
    Task<ImmutableArray<StackServiceInfo>> ServicesAsync(string stack, IReadOnlyList<string> filters, CancellationToken cancellationToken);

    /// <summary>The stack's tasks (Swarm) or pods (Kubernetes); <paramref name="filters"/> as <see cref="ServicesAsync"/>.</summary>
    Task<ImmutableArray<StackTaskInfo>> TasksAsync(string stack, IReadOnlyList<string> filters, CancellationToken cancellationToken);

    /// <summary>Removes every object carrying the stack's label (Kubernetes claims only with <see cref="StackRemoveOptions.Volumes"/>).</summary>
    Task<StackRemoveResult> RemoveAsync(string stack, StackRemoveOptions options, IStackEventSink events, CancellationToken cancellationToken);
}
