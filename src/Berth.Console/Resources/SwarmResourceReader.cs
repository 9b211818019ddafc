using System.Globalization;
using Berth.StackService;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Docker.DotNet.Models;

namespace Berth.Console.Resources;

/// <summary>
/// The Swarm side of the shared resources, read from the engine the docker CLI (and the stack service) would use:
/// the swarm's nodes, secrets and configs, and the engine's own images, volumes and networks. Secrets and configs are
/// read as names and metadata; the engine never returns a secret's data, and a config's data is not kept.
/// </summary>
internal static class SwarmResourceReader
{
    /// <summary>
    /// Reads the six lists in parallel; one that <paramref name="explain"/> recognises as refused or failed leaves its
    /// section empty with the reason, the others are shown.
    /// </summary>
    public static async Task<ResourceSide> ReadAsync(EngineClient client, Func<Exception, string?> explain, CancellationToken cancellationToken)
    {
        var nodes = SectionRead.AttemptAsync(SwarmEngine.CallAsync(client, c => c.Swarm.ListNodesAsync(cancellationToken)), explain);
        var images = SectionRead.AttemptAsync(SwarmEngine.CallAsync(client, c => c.Images.ListImagesAsync(new ImagesListParameters(), cancellationToken)), explain);
        var volumes = SectionRead.AttemptAsync(SwarmEngine.CallAsync(client, c => c.Volumes.ListAsync(cancellationToken)), explain);
        var networks = SectionRead.AttemptAsync(SwarmEngine.CallAsync(client, c => c.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken)), explain);
        var secrets = SectionRead.AttemptAsync(SwarmEngine.CallAsync(client, c => c.Secrets.ListAsync(cancellationToken)), explain);
        var configs = SectionRead.AttemptAsync(SwarmEngine.CallAsync(client, c => c.Configs.ListConfigsAsync(cancellationToken)), explain);
        await Task.WhenAll(nodes, images, volumes, networks, secrets, configs).ConfigureAwait(false);

        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var side = new ResourceSide(
            StackOrchestrator.Swarm,
            Problem: null,
            [.. Items(await nodes.ConfigureAwait(false), ResourceSections.Nodes, problems).Select(Node).OrderBy(n => n.Name, StringComparer.Ordinal)],
            [.. Items(await images.ConfigureAwait(false), ResourceSections.Images, problems).Select(Image).OrderBy(i => i.Name, StringComparer.Ordinal)],
            [.. (Value(await volumes.ConfigureAwait(false), ResourceSections.Volumes, problems) is { } volumeList ? volumeList.Volumes ?? [] : []).Select(v => new SharedResource(v.Name, null, $"{v.Driver}, {v.Scope}", ParseTime(v.CreatedAt))).OrderBy(v => v.Name, StringComparer.Ordinal)],
            [.. Items(await networks.ConfigureAwait(false), ResourceSections.Networks, problems).Select(n => new SharedResource(n.Name, null, $"{n.Driver}, {n.Scope}", Time(n.Created))).OrderBy(n => n.Name, StringComparer.Ordinal)],
            [.. Items(await secrets.ConfigureAwait(false), ResourceSections.Secrets, problems).Select(s => new SharedResource(s.Spec?.Name ?? s.ID, null, Labels(s.Spec?.Labels), Time(s.CreatedAt))).OrderBy(s => s.Name, StringComparer.Ordinal)],
            [.. Items(await configs.ConfigureAwait(false), ResourceSections.Configs, problems).Select(c => new SharedResource(c.Spec?.Name ?? c.ID, null, Labels(c.Spec?.Labels), Time(c.CreatedAt))).OrderBy(c => c.Name, StringComparer.Ordinal)]);
        return SectionRead.Settle(side, problems, 6);
    }

    private static IEnumerable<TItem> Items<TItem>((IList<TItem>? List, string? Problem) read, string section, Dictionary<string, string> problems) =>
        Value(read, section, problems) ?? [];

    private static T? Value<T>((T? Value, string? Problem) read, string section, Dictionary<string, string> problems)
        where T : class
    {
        if (read.Problem is { } problem)
        {
            problems[section] = problem;
        }

        return read.Value;
    }

    /// <summary>
    /// Sets the node's UCP orchestrator labels, keeping its other labels, role and availability: a node update carrying
    /// the version just read, so a concurrent change makes the engine refuse rather than be overwritten.
    /// </summary>
    /// <returns>False when the swarm has no node of that hostname.</returns>
    public static async Task<bool> AssignAsync(EngineClient client, string hostname, NodeAssignment assignment, CancellationToken cancellationToken)
    {
        var matches = (await SwarmEngine.CallAsync(client, c => c.Swarm.ListNodesAsync(cancellationToken)).ConfigureAwait(false))
            .Where(n => string.Equals(n.Description?.Hostname, hostname, StringComparison.Ordinal))
            .ToList();
        if (matches.Count == 0)
        {
            return false;
        }

        foreach (var node in matches)
        {
            var labels = new Dictionary<string, string>(node.Spec?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (key, value) in NodeAssignmentLabels.For(assignment))
            {
                if (value is null)
                {
                    labels.Remove(key);
                }
                else
                {
                    labels[key] = value;
                }
            }

            var spec = new NodeUpdateParameters { Name = node.Spec?.Name, Role = node.Spec?.Role, Availability = node.Spec?.Availability, Labels = labels };
            var version = node.Version?.Index ?? 0;
            await SwarmEngine.CallAsync(client, c => c.Swarm.UpdateNodeAsync(node.ID, version, spec, cancellationToken)).ConfigureAwait(false);
        }

        return true;
    }

    private static ClusterNode Node(NodeListResponse node) => new(
        node.Description?.Hostname is { Length: > 0 } hostname ? hostname : node.ID,
        node.Spec?.Role is { Length: > 0 } role ? role : "worker",
        $"{node.Status?.State ?? "unknown"}, {node.Spec?.Availability ?? "unknown"}",
        node.Description?.Resources is { NanoCPUs: > 0 } cpu ? cpu.NanoCPUs / 1e9 : null,
        node.Description?.Resources is { MemoryBytes: > 0 } memory ? memory.MemoryBytes : null,
        node.Description?.Engine?.EngineVersion,
        NodeAssignmentLabels.Read(node.Spec?.Labels));

    private static SharedResource Image(ImagesListResponse image)
    {
        var tags = image.RepoTags?.Where(t => t != "<none>:<none>").ToList() ?? [];
        var id = image.ID.StartsWith("sha256:", StringComparison.Ordinal) ? image.ID[7..19] : image.ID;
        var name = tags.Count > 0 ? string.Join(", ", tags) : $"<untagged> {id}";
        return new SharedResource(name, null, $"{ByteSize.Describe(image.Size)}, {id}", Time(image.Created));
    }

    private static string Labels(IDictionary<string, string>? labels) =>
        labels is { Count: > 0 } ? string.Join(", ", labels.Keys.Order(StringComparer.Ordinal)) : "no labels";

    private static DateTimeOffset? Time(DateTime? value) => value is not { } time || time == default ? null : new DateTimeOffset(DateTime.SpecifyKind(time, time.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : time.Kind)).ToUniversalTime();

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUniversalTime() : null;
}
