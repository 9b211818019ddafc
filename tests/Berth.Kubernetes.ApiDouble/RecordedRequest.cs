namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// One request the test double answered. Verb is the API server's classification: get, list, watch, create,
/// update, patch, delete or deletecollection. Resource is plural[.group] ("deployments.apps"); null for
/// discovery and unknown paths. Body is the request body text (null when there was none). User is whom the request
/// was served as (null when it was not authenticated); ImpersonatedBy the authenticated user when it impersonated User.
/// </summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string Query,
    string Verb,
    string? Resource,
    string? Namespace,
    string? Name,
    int StatusCode,
    string? Body,
    string? Subresource = null,
    string? ContentType = null,
    DoubleUser? User = null,
    string? ImpersonatedBy = null)
{
    /// <summary>True for create, update, patch, delete and deletecollection.</summary>
    public bool IsWrite => Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    /// <summary>True for get, list and watch.</summary>
    public bool IsRead => Verb is "get" or "list" or "watch";
}
