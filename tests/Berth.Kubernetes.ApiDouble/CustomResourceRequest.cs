using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Runs a request with the store's own semantics (route at the storage version, verb, body, content type).</summary>
internal delegate (int Code, JsonNode Answer) StoredRequest(ApiRoute route, string verb, string? body, string? contentType);

/// <summary>
/// One request for a custom resource, as apiextensions-apiserver's customresource_handler.go serves it: objects are
/// stored at the CRD's storage version and converted to and from the request's version; a body is pruned by the
/// version's schema (unknown fields are dropped, or refused with fieldValidation=Strict); each create and update passes
/// mutating admission, pruning again, schema validation and validating admission before it is stored — a full body or
/// a patch at its request's version (then converted), an apply on the result at the storage version; a delete passes
/// admission first. The status subresource exists only when the CRD declares it.
/// </summary>
internal sealed class CustomResourceRequest(
    ObjectStore store,
    CustomResourceVersion served,
    CustomResourceConversion conversion,
    AdmissionWebhooks admission,
    DoubleUser user,
    HttpRequest request,
    CancellationToken cancellationToken)
{
    private const string ApplyPatch = "application/apply-patch+yaml";

    public (int Code, JsonNode Answer) Execute(ApiRoute route, string verb, string? body, string? contentType, StoredRequest stored)
    {
        if (route.Subresource is { } subresource && !(subresource == "status" && served.StatusSubresource))
        {
            throw ApiException.UnknownPath();
        }

        var storageRoute = route with { Type = served.Storage };
        var storedBody = body;
        var manager = request.Query["fieldManager"].ToString() is { Length: > 0 } named ? named : null;
        var admitted = false;
        if (verb is "create" or "update" && AdmittedAtRequestVersion(route, verb, body, manager) is { } converted)
        {
            // As kube-apiserver: a body is admitted and validated at its request's version, then converted. Done
            // before the store's lock is taken, so a webhook may read the double while it answers (berth-apiserver's
            // validating webhook reads the cluster policy ConfigMap), as it may read kube-apiserver.
            (storedBody, admitted) = (converted, true);
        }
        else if (verb is "create" or "update" || (verb == "patch" && contentType == ApplyPatch))
        {
            storedBody = RequestObject(body) is { } obj ? conversion.Convert(served, obj, served.Storage.ApiVersion, cancellationToken).ToJsonString() : body;
        }
        else if (verb == "patch" && served.Type != served.Storage && route.Name is not null)
        {
            // A patch is applied to the object at the request's version, admitted there as kube-apiserver admits it
            // (the patcher decodes the result at the request's version before admission: apiserver
            // pkg/endpoints/handlers/patch.go), then converted and stored like an update.
            (verb, storedBody, contentType, admitted) = ("update", PatchedAtRequestVersion(route, body, contentType, manager), "application/json", true);
        }

        if (verb == "delete" && route.Name is not null)
        {
            AdmitDelete(route);
        }

        store.AdmitClientWrite = !admitted && verb is "create" or "update" or "patch"
            ? (old, candidate) => Admit(route, old, candidate, manager, served.Storage, served.StorageSchema)
            : null;
        try
        {
            var (code, answer) = stored(storageRoute, verb, storedBody, contentType);
            return (code, ToRequestVersion(answer));
        }
        finally
        {
            store.AdmitClientWrite = null;
        }
    }

    /// <summary>A watch event line at the request's version.</summary>
    public string WatchLine(string line)
    {
        if (served.Type == served.Storage || JsonNode.Parse(line) is not JsonObject change || change["object"] is not JsonObject obj || obj["kind"]?.ToString() == "Status")
        {
            return line;
        }

        try
        {
            change["object"] = conversion.Convert(served, obj, served.Type.ApiVersion, cancellationToken);
        }
        catch (ApiException failed)
        {
            // The watch cache answers a failed conversion as an ERROR event carrying the Status.
            return new JsonObject { ["type"] = "ERROR", ["object"] = failed.ToStatus() }.ToJsonString();
        }

        return change.ToJsonString();
    }

    /// <summary>
    /// A create or update body at a version other than the storage version, admitted there (null when there is nothing
    /// to admit yet: not JSON, or an update of a missing object, which the store answers).
    /// </summary>
    private string? AdmittedAtRequestVersion(ApiRoute route, string verb, string? body, string? manager)
    {
        if (RequestObject(body) is not { } obj)
        {
            return null;
        }

        JsonObject? old = null;
        if (verb == "update")
        {
            JsonObject? stored;
            lock (store.Gate)
            {
                stored = store.Find(served.Storage, route.Namespace, route.Name!)?.Object.DeepClone() as JsonObject;
            }

            if (stored is null)
            {
                return null;
            }

            old = conversion.Convert(served, stored, served.Type.ApiVersion, cancellationToken);
        }

        var admitted = Admit(route, old, obj, manager, served.Type, served.Schema);
        return conversion.Convert(served, admitted, served.Storage.ApiVersion, cancellationToken).ToJsonString();
    }

    /// <summary>A body as the request's version decodes it (apiVersion checked, unknown fields pruned or refused); null when not JSON.</summary>
    private JsonObject? RequestObject(string? body)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(body ?? "") as JsonObject ?? throw new JsonException();
        }
        catch (JsonException)
        {
            return null; // the store answers the parse error as it does for every kind
        }

        var apiVersion = obj["apiVersion"]?.ToString();
        if (apiVersion is not null && apiVersion != served.Type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({served.Type.ApiVersion})");
        }

        if (served.Schema is { } schema)
        {
            var pruned = StructuralSchema.Prune(obj, schema);
            if (pruned.Count > 0 && request.Query["fieldValidation"].ToString() == "Strict")
            {
                // customresource_handler.go's strict decoding: the pruned paths as unknown fields.
                var unknown = string.Join(", ", pruned.Select(p => $"unknown field \"{p}\""));
                throw ApiException.BadRequest($"{served.Type.Kind} in version \"{served.Type.Version}\" cannot be handled as a {served.Type.Kind}: strict decoding error: {unknown}");
            }
        }

        obj["apiVersion"] = served.Type.ApiVersion;
        return obj;
    }

    private string PatchedAtRequestVersion(ApiRoute route, string? body, string? contentType, string? manager)
    {
        JsonObject existing;
        lock (store.Gate)
        {
            existing = (JsonObject)store.Require(served.Storage, route.Namespace, route.Name!).Object.DeepClone();
        }

        var current = conversion.Convert(served, existing, served.Type.ApiVersion, cancellationToken);
        JsonObject patched;
        try
        {
            patched = contentType switch
            {
                "application/merge-patch+json" or "application/strategic-merge-patch+json" =>
                    JsonMerge.MergePatch(current, JsonNode.Parse(body ?? "")) as JsonObject ?? throw ApiException.BadRequest("the patch leaves no object"),
                "application/json-patch+json" => JsonPatch.Apply(current, JsonNode.Parse(body ?? "") as JsonArray ?? throw ApiException.BadRequest("a json patch must be a JSON array of operations")),
                _ => throw ApiException.UnsupportedMediaType(contentType ?? ""),
            };
        }
        catch (JsonException error)
        {
            throw ApiException.BadRequest($"the request body is not valid JSON: {error.Message}");
        }

        // The patch applies to the object read; another write in between is a conflict, as with the registry's retries off.
        var metadata = patched["metadata"] as JsonObject ?? [];
        metadata["resourceVersion"] ??= existing["metadata"]?["resourceVersion"]?.DeepClone();
        patched["metadata"] = metadata;
        var admitted = Admit(route, current, patched, manager, served.Type, served.Schema);
        return conversion.Convert(served, admitted, served.Storage.ApiVersion, cancellationToken).ToJsonString();
    }

    /// <summary>
    /// Admission of a create or update with the object at <paramref name="version"/>: mutating webhooks, pruning, schema
    /// validation, validating webhooks (the store's hook calls it at the storage version).
    /// </summary>
    private JsonObject Admit(ApiRoute route, JsonObject? old, JsonObject candidate, string? manager, ResourceType version, JsonObject? versionSchema)
    {
        var operation = old is null ? "CREATE" : "UPDATE";
        var name = candidate["metadata"]?["name"]?.ToString() ?? route.Name ?? "";
        var attributes = new AdmissionAttributes(operation, version, served.Type, route.Subresource, route.Namespace, name, candidate, old, user, AdmissionWebhooks.Options(operation, manager));
        var mutated = admission.Mutate(attributes, cancellationToken) ?? candidate;
        if (versionSchema is { } schema)
        {
            StructuralSchema.Prune(mutated, schema);
            if (StructuralSchema.Validate(mutated, schema) is { Count: > 0 } errors)
            {
                throw ApiException.Invalid(version, name, errors);
            }
        }

        foreach (var warning in admission.Validate(attributes with { Object = mutated }, cancellationToken))
        {
            // AS/pkg/endpoints/handlers/responsewriters/warning.go: 299, agent "-", the text quoted and escaped.
            request.HttpContext.Response.Headers.Append("Warning", "299 - \"" + warning.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
        }

        return mutated;
    }

    private void AdmitDelete(ApiRoute route)
    {
        JsonObject? old;
        lock (store.Gate)
        {
            old = store.Find(served.Storage, route.Namespace, route.Name!)?.Object.DeepClone() as JsonObject;
        }

        if (old is null)
        {
            return; // the store answers 404
        }

        // DELETE admission carries the old object only; a mutating webhook's patch has nothing to change.
        var attributes = new AdmissionAttributes("DELETE", served.Storage, served.Type, null, route.Namespace, route.Name!, null, old, user, AdmissionWebhooks.Options("DELETE", null));
        admission.Mutate(attributes, cancellationToken);
        admission.Validate(attributes, cancellationToken);
    }

    private JsonNode ToRequestVersion(JsonNode answer)
    {
        if (served.Type == served.Storage || answer is not JsonObject obj)
        {
            return answer;
        }

        if (obj["items"] is JsonArray items && obj["kind"]?.ToString() == served.Type.ListKind)
        {
            var converted = conversion.Convert(served, items.OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToList(), served.Type.ApiVersion, cancellationToken);
            obj["apiVersion"] = served.Type.ApiVersion;
            obj["items"] = new JsonArray(converted.Select(i => (JsonNode)i).ToArray());
            return obj;
        }

        return obj["apiVersion"]?.ToString() == served.Storage.ApiVersion ? conversion.Convert(served, obj, served.Type.ApiVersion, cancellationToken) : obj;
    }
}
