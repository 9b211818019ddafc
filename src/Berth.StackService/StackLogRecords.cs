using System.Collections.Immutable;

namespace Berth.StackService;

/// <summary>
/// What <see cref="IStackService.LogsAsync"/> reads: <see cref="Services"/> (Compose names; empty: all),
/// <see cref="Tail"/> lines per task or container (null: all), lines since <see cref="Since"/>, and whether to follow.
/// </summary>
public sealed record StackLogOptions
{
    public ImmutableArray<string> Services { get; init; } = [];

    public bool Follow { get; init; }

    public int? Tail { get; init; }

    public DateTimeOffset? Since { get; init; }
}

/// <summary>
/// One log line: when the orchestrator received it, the Compose service, the replica (Swarm: the task's slot, or the
/// node for a global service; Kubernetes: the pod's ordinal or name suffix), the stream (stdout or stderr) and the text.
/// </summary>
public sealed record StackLogLine(DateTimeOffset Time, string Service, string Replica, string Stream, string Message);
