using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Http;

/// <summary>One cause of a failure, as metav1.StatusCause.</summary>
internal sealed record StatusCause(string Type, string Message, string Field);

/// <summary>
/// A request that ends in a <c>Status</c> object: code, reason and message worded as kube-apiserver's
/// (AM/pkg/api/errors/errors.go).
/// </summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => ApiStatus.Failure(Code, Reason, Message, Details);
}

/// <summary>Builders of the Status errors this server answers.</summary>
internal static class ApiStatus
{
    public const string Group = "compose.docker.com";

    public static JsonObject Failure(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details.DeepClone();
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Success(string name, string kind, string? uid)
    {
        var details = new JsonObject { ["name"] = name, ["group"] = Group, ["kind"] = kind };
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        return new JsonObject { ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["details"] = details };
    }

    private static JsonObject Details(string name, string resource = "stacks")
        => new() { ["name"] = name, ["group"] = Group, ["kind"] = resource };

    public static ApiException NotFound(string name, string resource = "stacks")
        => new(404, "NotFound", $"{resource}.{Group} \"{name}\" not found", Details(name, resource));

    public static ApiException PathNotFound()
        => new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException AlreadyExists(string name)
        => new(409, "AlreadyExists", $"stacks.{Group} \"{name}\" already exists", Details(name));

    public static ApiException Conflict(string name, string detail)
        => new(409, "Conflict", $"Operation cannot be fulfilled on stacks.{Group} \"{name}\": {detail}", Details(name));

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException MethodNotAllowed(string method)
        => new(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource", new JsonObject());

    public static ApiException NotAcceptable(string accepted)
        => new(406, "NotAcceptable", $"the server was unable to respond with a content type that the client supports: only {accepted} is available", new JsonObject());

    public const string AcceptedPatchTypes = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

    /// <summary>AM/pkg/api/errors/errors.go NewUnsupportedMediaType as the patch and create handlers word it.</summary>
    public static ApiException UnsupportedMediaType(string accepted)
        => new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {accepted}", new JsonObject());

    public static ApiException TooLarge(long limit)
        => new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}", new JsonObject());

    public static ApiException ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    public static ApiException Internal(string message) => new(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>422 Invalid with every cause: AM/pkg/api/errors/errors.go NewInvalid (one error alone, several in brackets).</summary>
    public static ApiException Invalid(string kind, string name, IReadOnlyList<StatusCause> causes)
    {
        var texts = causes.Select(c => c.Field.Length > 0 ? $"{c.Field}: {c.Message}" : c.Message).ToImmutableArray();
        var aggregate = texts.Length == 1 ? texts[0] : $"[{string.Join(", ", texts)}]";
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = Group,
            ["kind"] = kind,
            ["causes"] = new JsonArray([.. causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Type, ["message"] = c.Message, ["field"] = c.Field })]),
        };
        return new ApiException(422, "Invalid", $"{kind}.{Group} \"{name}\" is invalid: {aggregate}", details);
    }

    /// <summary>403 worded as AS/pkg/endpoints/handlers/responsewriters/errors.go ForbiddenStatusError.</summary>
    public static ApiException Forbidden(Security.RequestInfo info, string user, string reason)
    {
        string message;
        if (!info.IsResourceRequest)
        {
            message = $"forbidden: User \"{user}\" cannot {info.Verb} path \"{info.Path}\"";
        }
        else
        {
            var resource = info.Subresource.Length > 0 ? $"{info.Resource}/{info.Subresource}" : info.Resource;
            var subject = info.Name.Length > 0 ? $"{info.Resource}.{info.ApiGroup} \"{info.Name}\"" : $"{info.Resource}.{info.ApiGroup}";
            var scope = info.Namespace.Length > 0 ? $" in the namespace \"{info.Namespace}\"" : " at the cluster scope";
            message = $"{subject} is forbidden: User \"{user}\" cannot {info.Verb} resource \"{resource}\" in API group \"{info.ApiGroup}\"{scope}";
        }

        if (reason.Length > 0)
        {
            message += ": " + reason;
        }

        var details = info.IsResourceRequest ? new JsonObject { ["name"] = info.Name, ["group"] = info.ApiGroup, ["kind"] = info.Resource } : new JsonObject();
        if (info.Name.Length == 0)
        {
            details.Remove("name");
        }

        return new ApiException(403, "Forbidden", message, details);
    }
}
