using System.Text.Json.Nodes;
using Berth.ApiServer.Security;
using Berth.StackApi;

namespace Berth.ApiServer.Webhooks;

/// <summary>
/// Where a stack kept as a custom resource records its owner: the annotation compose.docker.com/owner, holding the
/// same JSON as the aggregated server's stored spec.owner (a CRD's structural schema would prune an unknown
/// spec.owner). The mutating webhook alone writes it; the controller impersonates it.
/// </summary>
internal static class OwnerAnnotation
{
    public const string Key = "compose.docker.com/owner";

    /// <summary>The annotation's value for <paramref name="user"/>.</summary>
    public static string ValueFor(UserInfo user)
    {
        var holder = new JsonObject();
        StackOwner.Set(holder, new StackUser(user.Name, user.Uid, user.Groups, user.Extra));
        return holder["spec"]![StackCodec.OwnerKey]!.ToJsonString();
    }

    public static string? Of(JsonObject? stack) => stack?["metadata"]?["annotations"]?[Key]?.ToString();
}
