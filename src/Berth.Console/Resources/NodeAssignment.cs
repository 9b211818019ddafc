using System.Collections.Immutable;

namespace Berth.Console.Resources;

/// <summary>Which orchestrator may schedule work on a node, as the UCP labels say.</summary>
internal enum NodeAssignment
{
    /// <summary>Neither label is "true".</summary>
    Unassigned,
    Swarm,
    Kubernetes,
    Mixed,
}

/// <summary>
/// The node labels Docker EE (UCP) used to assign a node to an orchestrator: <c>com.docker.ucp.orchestrator.swarm</c>
/// and <c>com.docker.ucp.orchestrator.kubernetes</c>, each "true" when the node serves that orchestrator; both for mixed.
/// </summary>
internal static class NodeAssignmentLabels
{
    public const string Swarm = "com.docker.ucp.orchestrator.swarm";

    public const string Kubernetes = "com.docker.ucp.orchestrator.kubernetes";

    public static NodeAssignment Read(IDictionary<string, string>? labels)
    {
        var swarm = IsTrue(labels, Swarm);
        var kubernetes = IsTrue(labels, Kubernetes);
        return (swarm, kubernetes) switch
        {
            (true, true) => NodeAssignment.Mixed,
            (true, false) => NodeAssignment.Swarm,
            (false, true) => NodeAssignment.Kubernetes,
            _ => NodeAssignment.Unassigned,
        };
    }

    /// <summary>The two labels for an assignment: "true" for each orchestrator served, null (removed) for the other.</summary>
    public static ImmutableDictionary<string, string?> For(NodeAssignment assignment) => ImmutableDictionary<string, string?>.Empty
        .Add(Swarm, assignment is NodeAssignment.Swarm or NodeAssignment.Mixed ? "true" : null)
        .Add(Kubernetes, assignment is NodeAssignment.Kubernetes or NodeAssignment.Mixed ? "true" : null);

    /// <summary>The form's value (swarm, kubernetes, mixed); false for anything else.</summary>
    public static bool TryParse(string? value, out NodeAssignment assignment)
    {
        assignment = value switch
        {
            "swarm" => NodeAssignment.Swarm,
            "kubernetes" => NodeAssignment.Kubernetes,
            "mixed" => NodeAssignment.Mixed,
            _ => NodeAssignment.Unassigned,
        };
        return assignment != NodeAssignment.Unassigned;
    }

    public static string Describe(NodeAssignment assignment) => assignment switch
    {
        NodeAssignment.Swarm => "Swarm",
        NodeAssignment.Kubernetes => "Kubernetes",
        NodeAssignment.Mixed => "Mixed",
        _ => "Unassigned",
    };

    private static bool IsTrue(IDictionary<string, string>? labels, string key) =>
        labels is not null && labels.TryGetValue(key, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
