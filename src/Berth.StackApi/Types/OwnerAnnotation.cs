using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>
/// Where a stack kept as a custom resource records its owner: the annotation compose.docker.com/owner, holding the
/// same JSON as the aggregated server's stored spec.owner (a CRD's structural schema would prune an unknown
/// spec.owner). berth-apiserver's mutating webhook alone writes it (<see cref="ValueFor"/>); berth-controller reads
/// it back (<see cref="OwnerOf"/>) and impersonates it.
/// </summary>
public static class OwnerAnnotation
{
    public const string Key = "compose.docker.com/owner";

    /// <summary>The annotation's value for <paramref name="user"/>.</summary>
    public static string ValueFor(StackUser user)
    {
        var holder = new JsonObject();
        StackOwner.Set(holder, user);
        return holder["spec"]![StackCodec.OwnerKey]!.ToJsonString();
    }

    /// <summary>The annotation's raw value, or null when the stack has none.</summary>
    public static string? Of(JsonObject? stack) => stack?["metadata"]?["annotations"]?[Key]?.ToString();

    /// <summary>
    /// The owner the annotation records, read back as <see cref="ValueFor"/> wrote it (through <see cref="StackOwner"/>);
    /// null when the stack has no annotation, or one that is not such a value (no user name, not JSON, wrong types).
    /// </summary>
    public static StackUser? OwnerOf(JsonObject? stack)
    {
        if (Of(stack) is not { } value)
        {
            return null;
        }

        try
        {
            var holder = new JsonObject { ["spec"] = new JsonObject { [StackCodec.OwnerKey] = JsonNode.Parse(value) } };
            return StackOwner.Get(holder) is { Name.Length: > 0 } user ? user : null;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
