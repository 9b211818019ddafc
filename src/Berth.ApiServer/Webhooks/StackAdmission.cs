using System.Text.Json.Nodes;
using System.Collections.Immutable;
using Berth.ApiServer.Http;
using Berth.ApiServer.Policy;
using Berth.StackApi;

namespace Berth.ApiServer.Webhooks;

/// <summary>
/// The admission webhooks of stacks kept as a CustomResourceDefinition, so that mode has the aggregated server's
/// guarantees without etcd: the validating one runs the same decoding, validation (loader diagnostics, names,
/// dry-run conversion) and collision check as a create or update of berth-apiserver; the mutating one records the
/// owner (<see cref="OwnerAnnotation"/>) from the review's userInfo and refuses a client's edit of it.
/// </summary>
internal sealed class StackAdmission(StackCollisions? collisions, StackPolicyAdmission? policy = null)
{
    /// <summary>The validating webhook's answer.</summary>
    public async Task<JsonObject> ValidateAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation is not ("CREATE" or "UPDATE") || request.SubResource.Length > 0 || request.Object is null)
        {
            return request.Allow();
        }

        try
        {
            var name = request.Object["metadata"]?["name"]?.ToString() ?? request.Name;
            var stored = Decode(request.Object, request, name);
            var current = request.Operation == "UPDATE" && request.OldObject is { } old ? Decode(old, request, name) : null;
            var errors = current is null ? StackValidator.Validate(stored) : StackValidator.ValidateUpdate(stored, current);
            if (!errors.IsEmpty)
            {
                throw StacksApi.Invalid(name, errors);
            }

            // As berth-apiserver: the policy is evaluated when the spec is new or changed; warn mode answers warnings,
            // which kube-apiserver hands to the client as Warning headers.
            var warnings = ImmutableArray<string>.Empty;
            if (policy is not null && (current is null || !JsonNode.DeepEquals(current["spec"], stored["spec"])))
            {
                warnings = StackPolicyAdmission.Check(await policy.CurrentAsync(cancellationToken).ConfigureAwait(false), stored, name, cancellationToken);
            }

            // As berth-apiserver: an update is checked for collisions only when it changes the spec.
            if (collisions is not null && (current is null || !JsonNode.DeepEquals(current["spec"], stored["spec"])))
            {
                await collisions.CheckAsync(request.User, stored, cancellationToken).ConfigureAwait(false);
            }

            return request.Allow(warnings: warnings);
        }
        catch (ApiException refused)
        {
            return request.Deny(refused);
        }
    }

    /// <summary>
    /// The mutating webhook's answer: a create, or an update that changes the spec, records the requesting user as
    /// the owner (the aggregated server records the writer); an update that leaves the spec keeps the owner (so the
    /// controller's finalizer writes do not make it the owner). A value the client wrote itself is refused.
    /// </summary>
    public static JsonObject Mutate(AdmissionRequest request)
    {
        if (request.Operation is not ("CREATE" or "UPDATE") || request.SubResource.Length > 0 || request.Object is null)
        {
            return request.Allow();
        }

        var incoming = OwnerAnnotation.Of(request.Object);
        var recorded = OwnerAnnotation.Of(request.OldObject);
        var specChanged = request.OldObject is null || !JsonNode.DeepEquals(request.Object["spec"], request.OldObject["spec"]);
        var desired = specChanged || recorded is null ? OwnerAnnotation.ValueFor(request.User.ToStackUser()) : recorded;
        if (incoming is not null && incoming != recorded && incoming != desired)
        {
            var name = request.Object["metadata"]?["name"]?.ToString() ?? request.Name;
            return request.Deny(new ApiException(403, "Forbidden", $"stacks.{StackApiGroup.Group} \"{name}\" is forbidden: metadata.annotations[{OwnerAnnotation.Key}] is recorded from the requesting user and cannot be set by clients", new JsonObject { ["name"] = name, ["group"] = StackApiGroup.Group, ["kind"] = "stacks" }));
        }

        if (incoming == desired)
        {
            return request.Allow();
        }

        // RFC 6902: "add" replaces a member that exists; "~1" escapes the "/" of the key.
        JsonNode op = request.Object["metadata"]?["annotations"] is JsonObject
            ? new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations/" + OwnerAnnotation.Key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), ["value"] = desired }
            : new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { [OwnerAnnotation.Key] = desired } };
        return request.Allow([op]);
    }

    // The custom resource as the aggregated server would store it (its namespace is the request's).
    private static JsonObject Decode(JsonObject custom, AdmissionRequest request, string name)
    {
        var version = StackApiGroup.IsServed(request.Version) ? request.Version : StackApiGroup.V1Alpha3;
        var decoded = StackCodec.Decode(custom, version, null);
        if (!decoded.Errors.IsEmpty || decoded.Stored is null)
        {
            throw StacksApi.Invalid(name, decoded.Errors);
        }

        if (decoded.Stored["metadata"] is JsonObject metadata && request.Namespace.Length > 0)
        {
            metadata["namespace"] = request.Namespace;
        }

        return decoded.Stored;
    }
}
