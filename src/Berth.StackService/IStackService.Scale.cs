using Berth.Stacks.Events;

namespace Berth.StackService;

/// <summary><c>berth stack scale</c> (issue 10), kept apart from the other operations so parallel additions merge cleanly.</summary>
public partial interface IStackService
{
    /// <summary>
    /// Sets the replica count of replicated services of the stack, then (unless <see cref="StackScaleOptions.Detach"/>)
    /// waits for them as deploy does. Every target is checked before any write: an unknown name, a global service, a
    /// job or (Kubernetes) an autoscaled workload makes the result <see cref="StackScaleResult.Invalid"/> and nothing
    /// is written. The next deploy sets the Compose file's replicas again.
    /// </summary>
    Task<StackScaleResult> ScaleAsync(string stack, IReadOnlyList<StackScaleTarget> targets, StackScaleOptions options, IStackEventSink events, CancellationToken cancellationToken);
}
