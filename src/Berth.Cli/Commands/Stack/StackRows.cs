using System.Globalization;
using System.Text.Json.Serialization;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// One row of <c>stack ls</c>. Fields are docker's (<c>Name</c>, <c>Services</c>) plus Berth's <c>Orchestrator</c> and
/// <c>Namespace</c> (empty on Swarm), all text as docker's formatter prints them.
/// </summary>
internal sealed record StackRow(string Name, int Services, string Orchestrator, string Namespace)
{
    public static readonly string[] Fields = ["Name", "Namespace", "Orchestrator", "Services"];

    public IReadOnlyDictionary<string, string> ToFields() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Name"] = Name,
        ["Namespace"] = Namespace,
        ["Orchestrator"] = Orchestrator,
        ["Services"] = Services.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>One row of <c>stack services</c>, with docker's fields and value formats.</summary>
internal sealed record ServiceRow(string Id, string Name, string Mode, string Replicas, string Image, string Ports)
{
    public static readonly string[] Fields = ["ID", "Image", "Mode", "Name", "Ports", "Replicas"];

    public const string Table = "{{.ID}}\\t{{.Name}}\\t{{.Mode}}\\t{{.Replicas}}\\t{{.Image}}\\t{{.Ports}}";

    public IReadOnlyDictionary<string, string> ToFields() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ID"] = Id,
        ["Image"] = Image,
        ["Mode"] = Mode,
        ["Name"] = Name,
        ["Ports"] = Ports,
        ["Replicas"] = Replicas,
    };
}

/// <summary>
/// One row of <c>stack ps</c>: docker's fields plus <c>CreatedAt</c>/<c>UpdatedAt</c> (RFC 3339, UTC; docker's JSON
/// has no timestamps) and, on Kubernetes, <c>Restarts</c>. ERROR is printed in double quotes, as docker does.
/// </summary>
internal sealed record TaskRow(string Id, string Name, string Image, string Node, string DesiredState, string CurrentState, string Error, string Ports, DateTime? CreatedAt, DateTime? UpdatedAt)
{
    public static readonly string[] SwarmFields = ["CreatedAt", "CurrentState", "DesiredState", "Error", "ID", "Image", "Name", "Node", "Ports", "UpdatedAt"];

    public static readonly string[] KubernetesFields = [.. SwarmFields, "Restarts"];

    public const string SwarmTable = "{{.ID}}\\t{{.Name}}\\t{{.Image}}\\t{{.Node}}\\t{{.DesiredState}}\\t{{.CurrentState}}\\t{{.Error}}\\t{{.Ports}}";

    public const string KubernetesTable = "{{.ID}}\\t{{.Name}}\\t{{.Image}}\\t{{.Node}}\\t{{.DesiredState}}\\t{{.CurrentState}}\\t{{.Restarts}}\\t{{.Error}}\\t{{.Ports}}";

    /// <summary>Kubernetes only (container restarts of the pod).</summary>
    public int? Restarts { get; init; }

    public IReadOnlyDictionary<string, string> ToFields(string name)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CreatedAt"] = Rfc3339(CreatedAt),
            ["CurrentState"] = CurrentState,
            ["DesiredState"] = DesiredState,
            ["Error"] = Error.Length == 0 ? Error : $"\"{Error}\"",
            ["ID"] = Id,
            ["Image"] = Image,
            ["Name"] = name,
            ["Node"] = Node,
            ["Ports"] = Ports,
            ["UpdatedAt"] = Rfc3339(UpdatedAt),
        };
        if (Restarts is { } restarts)
        {
            fields["Restarts"] = restarts.ToString(CultureInfo.InvariantCulture);
        }

        return fields;
    }

    private static string Rfc3339(DateTime? when)
        => when is { } value ? value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : string.Empty;
}

/// <summary>One line of <c>stack diff</c>: what, which, and for updates the changed field names.</summary>
internal sealed record DiffRow(string Action, string Kind, string Name, List<string> Fields, string? Reason)
{
    /// <summary>Swarm updates: each change with its values (env and secrets by name only); omitted otherwise.</summary>
    public List<DiffChange>? Changes { get; init; }

    /// <summary>Kubernetes: a replacement a deploy refuses (data would be lost or detached), and how to proceed; omitted otherwise.</summary>
    public string? Refused { get; init; }

    public string? Hint { get; init; }
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
[JsonSerializable(typeof(List<DiffRow>))]
internal sealed partial class StackJsonContext : JsonSerializerContext;
