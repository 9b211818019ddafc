using System.Globalization;
using Docker.DotNet.Models;

namespace Berth.StackService.Swarm;

/// <summary>
/// The values docker's service and task formatters compute (docker/cli cli/command/service/formatter.go and
/// cli/command/task/formatter.go) from Engine API objects, so Swarm listings match <c>docker stack services|ps</c>.
/// </summary>
internal static class SwarmListing
{
    /// <summary>
    /// REPLICAS as docker counts them: <c>running/desired</c>, a per-node maximum, jobs' completions. Unlike the
    /// engine's RunningTasks, a replicated or global service counts only the newest task per slot (node) that is
    /// desired running, so tasks of the previous spec still stopping during an update never count as <c>2/1</c>.
    /// </summary>
    public static ReplicaCounts Counts(SwarmService service, IEnumerable<TaskResponse> tasks)
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
            return new ReplicaCounts(status?.RunningTasks ?? 0, desired) { Job = (completed, total) };
        }

        if (mode?.GlobalJob is not null)
        {
            return new ReplicaCounts(status?.RunningTasks ?? 0, desired) { Job = (completed, desired + completed) };
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
        return new ReplicaCounts(running, desired) { MaxPerNode = mode?.Global is null ? service.Spec?.TaskTemplate?.Placement?.MaxReplicas ?? 0 : 0 };
    }

    public static string Mode(ServiceMode? mode) => mode switch
    {
        { Global: not null } => "global",
        { ReplicatedJob: not null } => "replicated job",
        { GlobalJob: not null } => "global job",
        _ => "replicated",
    };

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

    private static string RangeText((uint PStart, uint PEnd, uint TStart, uint TEnd, string Protocol) r)
    {
        var published = r.PEnd > r.PStart ? Invariant($"{r.PStart}-{r.PEnd}") : Invariant($"{r.PStart}");
        var target = r.TEnd > r.TStart ? Invariant($"{r.TStart}-{r.TEnd}") : Invariant($"{r.TStart}");
        return $"*:{published}->{target}/{r.Protocol}";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
