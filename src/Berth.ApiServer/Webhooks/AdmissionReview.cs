using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Http;
using Berth.ApiServer.Security;

namespace Berth.ApiServer.Webhooks;

/// <summary>
/// An admission.k8s.io/v1 AdmissionReview request as kube-apiserver sends it to a webhook
/// (k8s.io/api/admission/v1/types.go; AS/pkg/admission/plugin/webhook/request/admissionreview.go), the parts a
/// stack webhook reads.
/// </summary>
internal sealed record AdmissionRequest(
    string Uid,
    string Operation,
    string Namespace,
    string Name,
    string Version,
    string SubResource,
    UserInfo User,
    JsonObject? Object,
    JsonObject? OldObject,
    bool DryRun)
{
    public const string ApiVersion = "admission.k8s.io/v1";

    /// <summary>The request of a review, or a 400 naming what is missing.</summary>
    public static AdmissionRequest Parse(JsonObject review)
    {
        if (review["apiVersion"]?.ToString() != ApiVersion || review["kind"]?.ToString() != "AdmissionReview")
        {
            throw ApiStatus.BadRequest($"expected an AdmissionReview of {ApiVersion}");
        }

        if (review["request"] is not JsonObject request || request["uid"]?.ToString() is not { Length: > 0 } uid)
        {
            throw ApiStatus.BadRequest("the AdmissionReview has no request.uid");
        }

        var user = request["userInfo"] as JsonObject;
        var groups = (user?["groups"] as JsonArray)?.Select(g => g?.ToString() ?? string.Empty).ToImmutableArray() ?? [];
        var extra = (user?["extra"] as JsonObject)?.ToImmutableDictionary(
            e => e.Key,
            e => (e.Value as JsonArray)?.Select(v => v?.ToString() ?? string.Empty).ToImmutableArray() ?? [],
            StringComparer.Ordinal) ?? ImmutableDictionary<string, ImmutableArray<string>>.Empty;
        return new AdmissionRequest(
            uid,
            request["operation"]?.ToString() ?? string.Empty,
            request["namespace"]?.ToString() ?? string.Empty,
            request["name"]?.ToString() ?? string.Empty,
            request["kind"]?["version"]?.ToString() ?? string.Empty,
            request["subResource"]?.ToString() ?? string.Empty,
            new UserInfo(user?["username"]?.ToString() ?? string.Empty, user?["uid"]?.ToString(), groups, extra),
            request["object"] as JsonObject,
            request["oldObject"] as JsonObject,
            request["dryRun"]?.GetValue<bool>() ?? false);
    }

    /// <summary>An admission; <paramref name="warnings"/> go to the client as Warning headers (AdmissionResponse.warnings).</summary>
    public JsonObject Allow(JsonArray? patch = null, ImmutableArray<string> warnings = default)
    {
        var response = new JsonObject { ["uid"] = Uid, ["allowed"] = true };
        if (!warnings.IsDefaultOrEmpty)
        {
            response["warnings"] = new JsonArray([.. warnings.Select(w => JsonValue.Create(w))]);
        }

        if (patch is { Count: > 0 })
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }

        return Review(response);
    }

    /// <summary>A refusal carrying the Status kube-apiserver hands to the client as it is (code, reason, message, details).</summary>
    public JsonObject Deny(ApiException error)
    {
        var status = error.ToStatus();
        status.Remove("kind");
        status.Remove("apiVersion");
        status.Remove("metadata");
        return Review(new JsonObject { ["uid"] = Uid, ["allowed"] = false, ["status"] = status });
    }

    private static JsonObject Review(JsonObject response)
        => new() { ["apiVersion"] = ApiVersion, ["kind"] = "AdmissionReview", ["response"] = response };
}
