using System.Collections.Immutable;
using Berth.StackService;

namespace Berth.Console.Resources;

/// <summary>A node of one orchestrator: role, state, resources, version, and the orchestrator its labels assign it to.</summary>
/// <param name="Name">The Swarm node's hostname or the Kubernetes node's name: the same machine carries the same name in both.</param>
/// <param name="Role">Swarm: manager or worker; Kubernetes: control-plane or worker (the node-role.kubernetes.io/ labels).</param>
/// <param name="State">Swarm: state and availability ("ready, active"); Kubernetes: the Ready condition ("Ready", "NotReady").</param>
/// <param name="Cpus">CPUs the node reports (Swarm: NanoCPUs / 10⁹; Kubernetes: capacity.cpu); null when not reported.</param>
/// <param name="MemoryBytes">Memory the node reports (Swarm: MemoryBytes; Kubernetes: capacity.memory); null when not reported.</param>
/// <param name="Version">The engine version (Swarm) or the kubelet version (Kubernetes); null when not reported.</param>
/// <param name="Assignment">What the node's UCP orchestrator labels say.</param>
internal sealed record ClusterNode(string Name, string Role, string State, double? Cpus, long? MemoryBytes, string? Version, NodeAssignment Assignment);

/// <summary>
/// An image, volume, claim, network, secret or config: its name, namespace (Kubernetes), a short description and when it
/// was created. Never a secret's or config's content.
/// </summary>
// Public: the ResourcesSection component (public, as Razor makes components) takes a list of them.
public sealed record SharedResource(string Name, string? Namespace, string Detail, DateTimeOffset? Created);

/// <summary>The sections of the shared resources page, as <see cref="ResourceSide.SectionProblems"/> names them.</summary>
internal static class ResourceSections
{
    public const string Nodes = "nodes";
    public const string Images = "images";
    public const string Volumes = "volumes";
    public const string Networks = "networks";
    public const string Secrets = "secrets";
    public const string Configs = "configs";
}

/// <summary>
/// What one orchestrator shares, or why it could not be read at all (<see cref="Problem"/>; the other orchestrator is
/// still shown). A section whose own read was refused or failed (e.g. RBAC refusing to list Secrets) is empty with its
/// reason in <see cref="SectionProblems"/>, and every other section is shown.
/// </summary>
internal sealed record ResourceSide(
    StackOrchestrator Orchestrator,
    string? Problem,
    ImmutableArray<ClusterNode> Nodes,
    ImmutableArray<SharedResource> Images,
    ImmutableArray<SharedResource> Volumes,
    ImmutableArray<SharedResource> Networks,
    ImmutableArray<SharedResource> Secrets,
    ImmutableArray<SharedResource> Configs)
{
    /// <summary>Why a section could not be read, by <see cref="ResourceSections"/> name; only the sections that failed.</summary>
    public ImmutableDictionary<string, string> SectionProblems { get; init; } = ImmutableDictionary<string, string>.Empty;

    public static ResourceSide Unreadable(StackOrchestrator orchestrator, string problem) => new(orchestrator, problem, [], [], [], [], [], []);

    /// <summary>Why <paramref name="section"/> alone could not be read; null when it was read (or the whole side was not, see <see cref="Problem"/>).</summary>
    public string? SectionProblem(string section) => Problem is null ? SectionProblems.GetValueOrDefault(section) : null;
}

/// <summary>
/// One list read for one section: its items, or the reason it could not be read when <c>explain</c> recognises the
/// failure (anything else is a bug and is thrown).
/// </summary>
internal static class SectionRead
{
    public static async Task<(T? Value, string? Problem)> AttemptAsync<T>(Task<T> read, Func<Exception, string?> explain)
        where T : class
    {
        try
        {
            return (await read.ConfigureAwait(false), null);
        }
        catch (Exception e) when (explain(e) is { } problem)
        {
            return (null, problem);
        }
    }

    /// <summary>The side as read; when every section failed the same way (the engine or cluster unreachable), the side itself could not be read.</summary>
    public static ResourceSide Settle(ResourceSide side, IReadOnlyDictionary<string, string> problems, int sections) =>
        problems.Count == sections && problems.Values.Distinct(StringComparer.Ordinal).Count() == 1
            ? ResourceSide.Unreadable(side.Orchestrator, problems.Values.First())
            : side with { SectionProblems = problems.ToImmutableDictionary(StringComparer.Ordinal) };
}

/// <summary>The shared resources page: Swarm and Kubernetes side by side.</summary>
internal sealed record SharedResourcesView(ResourceSide Swarm, ResourceSide Kubernetes)
{
    /// <summary>One row per machine name: its Swarm node, its Kubernetes node, or both.</summary>
    public ImmutableArray<NodeRow> NodeRows { get; } =
        [.. Swarm.Nodes.Select(n => n.Name).Concat(Kubernetes.Nodes.Select(n => n.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => new NodeRow(name, Swarm.Nodes.FirstOrDefault(n => n.Name == name), Kubernetes.Nodes.FirstOrDefault(n => n.Name == name)))];
}

/// <summary>A machine as the page shows it: what each orchestrator reports about it, and the orchestrator it serves.</summary>
internal sealed record NodeRow(string Name, ClusterNode? Swarm, ClusterNode? Kubernetes)
{
    /// <summary>The Swarm node's labels decide (they are the ones UCP read); a node only Kubernetes knows carries its own.</summary>
    public NodeAssignment Assignment => Swarm?.Assignment ?? Kubernetes?.Assignment ?? NodeAssignment.Unassigned;
}
