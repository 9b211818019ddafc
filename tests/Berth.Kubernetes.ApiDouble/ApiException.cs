using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>A request the test double refuses; becomes a Status body like the real API server's.</summary>
internal sealed class ApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        if (details is not null)
        {
            status["details"] = details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.FullName} \"{name}\" not found", Details(type, name));

    public static ApiException NamespaceNotFound(string @namespace) =>
        new(404, "NotFound", $"namespaces \"{@namespace}\" not found", Details(ResourceCatalog.Namespaces, @namespace));

    public static ApiException UnknownPath() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    /// <summary>409 AlreadyExists; for an object still being deleted the registry prefixes "object is being deleted: ".</summary>
    public static ApiException AlreadyExists(ResourceType type, string name, bool beingDeleted = false) =>
        new(409, "AlreadyExists", $"{(beingDeleted ? "object is being deleted: " : "")}{type.FullName} \"{name}\" already exists", Details(type, name));

    public static ApiException StaleResourceVersion(ResourceType type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {type.FullName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(type, name));

    public static ApiException ApplyConflict(ResourceType type, string name, string message, JsonArray causes)
    {
        var details = Details(type, name);
        details["causes"] = causes;
        return new(409, "Conflict", message, details);
    }

    public static ApiException Invalid(ResourceType type, string name, string field, string message) => Invalid(type, name, [(field, message)]);

    /// <summary>
    /// 422 Invalid as apimachinery's errors.NewInvalid words it: one error as "field: message", several as
    /// "[a, b]" (utilerrors aggregate); each a cause typed by its kind (FieldValueRequired, ...Forbidden, ...).
    /// </summary>
    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<(string Field, string Message)> errors)
    {
        var causes = new JsonArray();
        foreach (var (field, message) in errors)
        {
            causes.Add(new JsonObject { ["reason"] = CauseType(message), ["message"] = message, ["field"] = field });
        }

        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Kind,
            ["causes"] = causes,
        };
        var kind = type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
        var printed = errors.Select(e => $"{e.Field}: {e.Message}").Distinct().ToList();
        var aggregate = printed.Count == 1 ? printed[0] : "[" + string.Join(", ", printed) + "]";
        return new(422, "Invalid", $"{kind} \"{name}\" is invalid: {aggregate}", details);
    }

    private static string CauseType(string message) => message switch
    {
        _ when message.StartsWith("Required value", StringComparison.Ordinal) => "FieldValueRequired",
        _ when message.StartsWith("Forbidden", StringComparison.Ordinal) => "FieldValueForbidden",
        _ when message.StartsWith("Unsupported value", StringComparison.Ordinal) => "FieldValueNotSupported",
        _ => "FieldValueInvalid",
    };

    /// <summary>403 from an admission plugin: <c>persistentvolumeclaims "data" is forbidden: &lt;reason&gt;</c>.</summary>
    public static ApiException AdmissionForbidden(ResourceType type, string name, string reason) =>
        new(403, "Forbidden", $"{type.FullName} \"{name}\" is forbidden: {reason}", Details(type, name));

    /// <summary>
    /// An apply body structured-merge-diff cannot read (duplicate keys): the server answers the plain error as
    /// a 500 with no reason (apiserver's ErrorToAPIStatus for a non-Status error), e.g.
    /// <c>failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec...: duplicate entries for key [name="a"]</c>.
    /// </summary>
    public static ApiException TypedPatchFailed(ResourceType type, string? @namespace, string name, IReadOnlyList<string> errors)
    {
        var detail = errors.Count == 1 ? errors[0] : "errors:\n" + string.Join('\n', errors.Select(e => "  " + e));
        return new(500, "", $"failed to create typed patch object ({@namespace}/{name}; {type.Group}/{type.Version}, Kind={type.Kind}): {detail}");
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got \"{contentType}\")");

    public static ApiException MethodNotAllowed(string method) =>
        new(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({method})");

    public static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static ApiException InternalError(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Forbidden(ResourceType type, string? name, string verb, string user, string? @namespace, string? subresource = null)
    {
        var subject = name is null ? type.FullName : $"{type.FullName} \"{name}\"";
        var scope = @namespace is null ? "at the cluster scope" : $"in the namespace \"{@namespace}\"";
        var resource = subresource is null ? type.Plural : $"{type.Plural}/{subresource}";
        var message = $"{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" {scope}";
        return new(403, "Forbidden", message, Details(type, name));
    }

    private static JsonObject Details(ResourceType type, string? name)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }

        details["group"] = type.Group;
        details["kind"] = type.Plural;
        return details;
    }
}
