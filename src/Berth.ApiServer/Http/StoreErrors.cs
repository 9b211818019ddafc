using System.Text.Json.Nodes;
using Berth.StackApi.Storage;

namespace Berth.ApiServer.Http;

/// <summary>Storage failures as Status: the store words the message as kube-apiserver; here the code and reason.</summary>
internal static class StoreErrors
{
    public static ApiException ToApi(StoreException e)
    {
        var details = new JsonObject { ["group"] = ApiStatus.Group, ["kind"] = "stacks" };
        if (e.Name is not null)
        {
            details.Insert(0, "name", e.Name);
        }

        if (!e.Causes.IsEmpty)
        {
            details["causes"] = new JsonArray([.. e.Causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Type, ["message"] = c.Message, ["field"] = c.Field })]);
        }

        return e.Kind switch
        {
            StoreErrorKind.NotFound => new ApiException(404, "NotFound", e.Message, details),
            StoreErrorKind.AlreadyExists => new ApiException(409, "AlreadyExists", e.Message, details),
            StoreErrorKind.Conflict => new ApiException(409, "Conflict", e.Message, details),
            StoreErrorKind.Invalid => new ApiException(422, "Invalid", e.Message, details),
            StoreErrorKind.BadRequest => new ApiException(400, "BadRequest", e.Message),
            StoreErrorKind.Expired => new ApiException(410, "Expired", e.Message),
            // AS/pkg/storage/errors.go NewTooLargeResourceVersionError: 504 Timeout with a ResourceVersionTooLarge cause.
            StoreErrorKind.ResourceVersionTooLarge => new ApiException(504, "Timeout", e.Message, new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }), ["retryAfterSeconds"] = 1 }),
            _ => new ApiException(503, "ServiceUnavailable", e.Message),
        };
    }
}
