using System.Globalization;

namespace Berth.Stacks.Events;

/// <summary>
/// The one-line wording of an event, as <c>berth stack</c> prints it (and as a console may log it). Null for the
/// progress events, which a live display draws (the CLI's ConvergenceDisplay).
/// </summary>
public static class StackEventText
{
    public static string? Line(StackEvent stackEvent) => stackEvent switch
    {
        ObjectWriting { Step: ObjectStep.Create } e => $"Creating {e.Kind} {e.Name}{(e.Cause == UpdateCause.NamespaceMissing ? " (it does not exist)" : string.Empty)}",
        ObjectWriting { Step: ObjectStep.Update } e => $"Updating {e.Kind} {e.Name}{(e.Id is { } id ? $" (id: {id})" : string.Empty)}: {e.Cause switch
        {
            UpdateCause.LabelsOnly => "labels only, no task restarts",
            UpdateCause.ConcurrentOtherSpec => "created by a concurrent deploy with another spec",
            _ => string.Join(", ", e.Fields),
        }}",
        ObjectWriting { Step: ObjectStep.Replace, Replaces: { } old } e => $"Replacing {old} {e.Name} with {e.Kind} {e.Name} (the workload changes kind; the {old} is removed once the {e.Kind} is written)",
        ObjectWriting { Step: ObjectStep.Replace, Fields.IsEmpty: false } e => $"Replacing {e.Kind} {e.Name}: {string.Join(", ", e.Fields)} cannot change once set (deleted and created again)",
        ObjectWriting { Step: ObjectStep.Replace } e => $"Replacing {e.Kind} {e.Name} (its spec cannot be changed once created)",
        ObjectWriting e => $"Removing {e.Kind} {e.Name}",
        ObjectWriteFailed { Step: ObjectStep.Remove } e => $"Failed to remove {e.Kind} {e.Name}: {e.Error}",
        ObjectWriteFailed e => $"Failed to apply {e.Kind} {e.Name}",
        ConcurrentNetworkUsed e => $"Network {e.Name} was created by a concurrent deploy of stack {e.Stack}; using it",
        ConcurrentServiceKept e => $"Service {e.Name} was created by a concurrent deploy with this spec; leaving it",
        ImageNotPinned e => $"warning: image {e.Image} could not be accessed on a registry to record its digest. Each node will access {e.Image} independently, possibly leading to different nodes running different versions of the image.",
        RollbackStarting e => $"Rolling back service {e.Service}",
        RollbackUnavailable e => $"Cannot roll back service {e.Service}: the engine has no previous spec for it",
        PreviousRemovalPending e => $"Waiting for the removal of stack {e.Stack} to finish: {e.Tasks} task(s) stopping, network {string.Join(", ", e.Networks)}",
        RemovalPending e => $"Waiting for {Left(e.Tasks, e.Networks)} to be removed",
        StackRemoved e => $"Stack {e.Stack} removed",
        KindSkipped e => $"Skipping {e.Resource}: {(e.NotServed ? "not served by this cluster" : "not allowed to list them, so they are not pruned")}",
        NamespaceNotReadable e => $"Namespace {e.Namespace}: not allowed to read it; using it as it is",
        StackWarning e => e.Message,
        _ => null,
    };

    /// <summary>What of a stack is left: <c>2 tasks and network s_default</c>.</summary>
    public static string Left(int tasks, IReadOnlyList<string> networks)
    {
        ArgumentNullException.ThrowIfNull(networks);
        var parts = new List<string>();
        if (tasks > 0)
        {
            parts.Add(tasks == 1 ? "1 task" : string.Create(CultureInfo.InvariantCulture, $"{tasks} tasks"));
        }

        if (networks.Count > 0)
        {
            parts.Add($"network{(networks.Count == 1 ? string.Empty : "s")} {string.Join(", ", networks)}");
        }

        return string.Join(" and ", parts);
    }
}
