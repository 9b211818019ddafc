using System.Globalization;
using Berth.StackService;
using Docker.DotNet.Models;
using Layer = Berth.StackService.Swarm.SwarmListing;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// How docker's service and task formatters print values (docker/cli cli/command/service/formatter.go and
/// cli/command/task/formatter.go), so <c>berth stack services|ps</c> match <c>docker stack services|ps</c> text for
/// text. The counts themselves come from the stack service.
/// </summary>
internal static class SwarmListing
{
    /// <summary>REPLICAS of a Swarm service as docker prints it (see <see cref="Layer.Counts"/>).</summary>
    public static string Replicas(SwarmService service, IEnumerable<TaskResponse> tasks) => Replicas(Layer.Counts(service, tasks));

    /// <summary>REPLICAS: <c>running/desired</c>, jobs <c>running/desired (completed/total completed)</c>, <c>(max N per node)</c>.</summary>
    public static string Replicas(ReplicaCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return counts switch
        {
            { Job: { } job } => Invariant($"{counts.Running}/{counts.Desired} ({job.Completed}/{job.Total} completed)"),
            { MaxPerNode: > 0 } => Invariant($"{counts.Running}/{counts.Desired} (max {counts.MaxPerNode} per node)"),
            _ => Invariant($"{counts.Running}/{counts.Desired}"),
        };
    }

    public static string ServicePorts(IEnumerable<PortConfig>? ports) => Layer.ServicePorts(ports);

    public static string Image(string? image) => Layer.Image(image);

    public static string State(TaskState? state) => Layer.State(state);

    /// <summary>CURRENT STATE: <c>Running 5 seconds ago</c> (go-units HumanDuration, lower case, as docker).</summary>
    public static string CurrentState(TaskState? state, DateTime? since, DateTime now) => CurrentState(State(state), since, now);

    public static string CurrentState(string state, DateTime? since, DateTime now)
        => since is { } when ? $"{state} {HumanDuration(now - when.ToUniversalTime())} ago" : state;

    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1)
        {
            return "less than a second";
        }

        if (seconds == 1)
        {
            return "1 second";
        }

        if (seconds < 60)
        {
            return Invariant($"{seconds} seconds");
        }

        var minutes = (long)d.TotalMinutes;
        if (minutes == 1)
        {
            return "about a minute";
        }

        if (minutes < 60)
        {
            return Invariant($"{minutes} minutes");
        }

        var hours = (long)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        return hours == 1 ? "about an hour"
            : hours < 48 ? Invariant($"{hours} hours")
            : hours < 24 * 7 * 2 ? Invariant($"{hours / 24} days")
            : hours < 24 * 30 * 2 ? Invariant($"{hours / 24 / 7} weeks")
            : hours < 24 * 365 * 2 ? Invariant($"{hours / 24 / 30} months")
            : Invariant($"{(long)d.TotalHours / 24 / 365} years");
    }

    /// <summary>docker's Ellipsis: at most <paramref name="max"/> characters, the last one an ellipsis when cut.</summary>
    public static string Ellipsis(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
