using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.StackApi.Storage;

/// <summary>
/// The list continue token of k8s.io/apiserver pkg/storage/continue.go: base64url without padding of
/// <c>{"v":"meta.k8s.io/v1","rv":N,"start":"&lt;key after the list prefix&gt;"}</c>.
/// </summary>
internal static class ContinueToken
{
    private const string Version = "meta.k8s.io/v1";

    public static string Encode(long revision, string start)
    {
        var json = new JsonObject { ["v"] = Version, ["rv"] = revision, ["start"] = start }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The revision and the start key relative to the list prefix; errors worded as continue.go's.</summary>
    public static (long Revision, string Start) Decode(string token)
    {
        JsonObject? json;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            json = JsonNode.Parse(Convert.FromBase64String(base64)) as JsonObject;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid("continue key is not valid: " + e.Message.TrimEnd('.'));
        }

        if (json is null)
        {
            throw Invalid("continue key is not valid: not an object");
        }

        if (json["v"]?.GetValue<string>() != Version)
        {
            throw Invalid("continue key is not valid: server does not recognize this encoding");
        }

        var revision = json["rv"] is JsonValue rv && rv.TryGetValue<long>(out var r) ? r : 0;
        if (revision == 0)
        {
            throw Invalid("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }

        var start = json["start"]?.GetValue<string>() ?? string.Empty;
        if (start.Length == 0)
        {
            throw Invalid("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
        }

        // continue.go cleans the key as a path and refuses one that climbs out of the prefix.
        if (start.Split('/').Any(segment => segment is ".." or "."))
        {
            throw Invalid("continue key is not valid: path traversal attempted (version meta.k8s.io/v1)");
        }

        return (revision, start);
    }

    private static StoreException Invalid(string message) => new(StoreErrorKind.BadRequest, message);
}
