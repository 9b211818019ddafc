using System.Globalization;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// The values docker's service and task formatters print (docker/cli cli/command/service/formatter.go and
/// cli/command/task/formatter.go), computed from Engine API objects so <c>berth stack services|ps</c> match
/// <c>docker stack services|ps</c> text for text.
/// </summary>
internal static class SwarmListing
{
    /// <summary>
    /// REPLICAS as docker prints it: <c>running/desired</c>, <c>(max N per node)</c>, jobs <c>running/desired
    /// (completed/total completed)</c>. Unlike the engine's RunningTasks, a replicated or global service counts only the
    /// newest task per slot (node) that is desired running, so tasks of the previous spec still stopping during an
    /// update never show as <c>2/1</c>.
    /// </summary>
    public static string Replicas(SwarmService service, IEnumerable<TaskResponse> tasks)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(tasks);
        var mode = service.Spec?.Mode;
        var status = service.ServiceStatus;
        var desired = status?.DesiredTasks ?? 0;
        var completed = status?.CompletedTasks ?? 0;
        if (mode?.ReplicatedJob is { } job)
        {
            var total = job.TotalCompletions ?? job.MaxConcurrent ?? 1;
            return Invariant($"{status?.RunningTasks ?? 0}/{desired} ({completed}/{total} completed)");
        }

        if (mode?.GlobalJob is not null)
        {
            return Invariant($"{status?.RunningTasks ?? 0}/{desired} ({completed}/{desired + completed} completed)");
        }

        var current = tasks
            .Where(t => t.ServiceID == service.ID && t.DesiredState == TaskState.Running)
            .GroupBy(t => mode?.Global is not null ? t.NodeID ?? string.Empty : (t.Slot ?? 0).ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Version?.Index ?? 0).First())
            .Where(t => mode?.Global is not null || t.Slot is null or 0 || mode?.Replicated?.Replicas is not { } replicas || (ulong)t.Slot.Value <= replicas)
            .Count(t => t.Status?.State == TaskState.Running);
        if (status is null)
        {
            desired = mode?.Replicated?.Replicas ?? (ulong)current;
        }

        var running = mode?.Global is not null ? (ulong)current : Math.Min((ulong)current, desired);
        var maxPerNode = service.Spec?.TaskTemplate?.Placement?.MaxReplicas ?? 0;
        return maxPerNode > 0 && mode?.Global is null
            ? Invariant($"{running}/{desired} (max {maxPerNode} per node)")
            : Invariant($"{running}/{desired}");
    }

    /// <summary>Published ingress ports as docker groups them: <c>*:8080->80/tcp</c>, consecutive ports as ranges.</summary>
    public static string ServicePorts(IEnumerable<PortConfig>? ports)
    {
        var texts = new List<string>();
        (uint PStart, uint PEnd, uint TStart, uint TEnd, string Protocol)? range = null;
        foreach (var p in (ports ?? []).Where(p => p.PublishMode == "ingress").OrderBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.PublishedPort))
        {
            var protocol = p.Protocol ?? "tcp";
            var published = p.PublishedPort ?? 0;
            var target = p.TargetPort ?? 0;
            if (range is { } r && protocol == r.Protocol && published - r.PEnd <= 1 && target - r.TEnd <= 1 && !(r.TEnd != r.TStart && target <= r.TEnd))
            {
                range = r with { PEnd = published, TEnd = target };
                continue;
            }

            if (range is { } previous)
            {
                texts.Add(RangeText(previous));
            }

            range = (published, published, target, target, protocol);
        }

        if (range is { } last)
        {
            texts.Add(RangeText(last));
        }

        return string.Join(", ", texts);
    }

    /// <summary>
    /// The image as docker lists it: the familiar name (no <c>docker.io/library/</c>) and, for a tagged reference,
    /// without the digest the deploy pinned.
    /// </summary>
    public static string Image(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return string.Empty;
        }

        var at = image.IndexOf('@', StringComparison.Ordinal);
        var named = at < 0 ? image : image[..at];
        var tagged = named.LastIndexOf(':') > named.LastIndexOf('/');
        var text = tagged ? named : image;
        foreach (var prefix in (string[])["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"])
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal) && (prefix.EndsWith("library/", StringComparison.Ordinal) || text[prefix.Length..].Contains('/', StringComparison.Ordinal)))
            {
                return text[prefix.Length..];
            }
        }

        return text;
    }

    /// <summary>A task state as docker capitalises it: <c>Running</c>, <c>Complete</c>.</summary>
    public static string State(TaskState? state) => state?.ToString().ToLowerInvariant() switch
    {
        null => string.Empty,
        var s => char.ToUpperInvariant(s[0]) + s[1..],
    };

    /// <summary>CURRENT STATE: <c>Running 5 seconds ago</c> (go-units HumanDuration, lower case, as docker).</summary>
    public static string CurrentState(TaskState? state, DateTime? since, DateTime now)
        => since is { } when ? $"{State(state)} {HumanDuration(now - when.ToUniversalTime())} ago" : State(state);

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

    private static string RangeText((uint PStart, uint PEnd, uint TStart, uint TEnd, string Protocol) r)
    {
        var published = r.PEnd > r.PStart ? Invariant($"{r.PStart}-{r.PEnd}") : Invariant($"{r.PStart}");
        var target = r.TEnd > r.TStart ? Invariant($"{r.TStart}-{r.TEnd}") : Invariant($"{r.TStart}");
        return $"*:{published}->{target}/{r.Protocol}";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
