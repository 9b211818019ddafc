using System.Text.Json.Serialization;

namespace Berth.Cli.Commands.Stack;

internal sealed record StackRow(string Name, int Services, string Orchestrator)
{
    /// <summary>Kubernetes only; omitted from JSON for Swarm stacks.</summary>
    public string? Namespace { get; init; }
}

internal sealed record ServiceRow(string Id, string Name, string Mode, string Replicas, string Image, string Ports);

internal sealed record TaskRow(string Id, string Name, string Image, string Node, string DesiredState, string CurrentState, string Error, string Ports)
{
    /// <summary>Kubernetes only (container restarts of the pod); omitted from JSON for Swarm tasks.</summary>
    public int? Restarts { get; init; }
}

/// <summary>One line of <c>stack diff</c>: what, which, and for updates the changed field names.</summary>
internal sealed record DiffRow(string Action, string Kind, string Name, List<string> Fields, string? Reason)
{
    /// <summary>Swarm updates: each change with its values (env and secrets by name only); omitted otherwise.</summary>
    public List<DiffChange>? Changes { get; init; }
}

/// <summary>A changed field, live value → desired value; a null <c>from</c> is an addition, a null <c>to</c> a removal.</summary>
internal sealed record DiffChange(
    string Field,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? To)
{
    [JsonIgnore]
    public string Text { get; init; } = string.Empty;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<StackRow>))]
[JsonSerializable(typeof(List<ServiceRow>))]
[JsonSerializable(typeof(List<TaskRow>))]
[JsonSerializable(typeof(List<DiffRow>))]
internal sealed partial class StackJsonContext : JsonSerializerContext;
