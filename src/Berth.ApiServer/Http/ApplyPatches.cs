using System.Text.Json.Nodes;
using Berth.StackApi;

namespace Berth.ApiServer.Http;

/// <summary>The request checks and the merge of a server-side apply (AS/pkg/endpoints/handlers/patch.go applyPatcher).</summary>
internal static class ApplyPatches
{
    public static void CheckRequest(HttpContext context, string version, JsonObject applied)
    {
        if (context.Request.Query["fieldManager"].ToString().Length == 0)
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch", new JsonObject { ["group"] = "meta.k8s.io", ["kind"] = "PatchOptions", ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueRequired", ["message"] = "Required value: is required for apply patch", ["field"] = "fieldManager" }) });
        }

        // AM/pkg/util/managedfields/internal/structuredmerge.go Apply: the configuration is in the request's version
        // and says nothing about managed fields.
        var expected = StackApiGroup.ApiVersion(version);
        var specified = applied["apiVersion"]?.ToString() ?? string.Empty;
        if (specified != expected)
        {
            throw ApiStatus.BadRequest($"Incorrect version specified in apply patch. Specified patch version: {specified}, expected: {expected}");
        }

        if (applied["metadata"] is JsonObject metadata && metadata.ContainsKey("managedFields"))
        {
            throw ApiStatus.BadRequest("metadata.managedFields must be nil");
        }
    }

    /// <summary>The configuration merged onto the current object at <paramref name="version"/>, what the applier dropped pruned.</summary>
    public static JsonObject Merge(HttpContext context, JsonObject current, JsonObject applied, string version, bool statusOnly, TimeProvider time)
    {
        var encoded = StackCodec.Encode(current, version);
        var currentRv = encoded["metadata"]?["resourceVersion"]?.ToString();
        var body = (JsonObject)Patches.Merge(encoded, applied)!;
        FieldManager.For(context, version, statusOnly, time).Prune(current, body, applied);
        if (string.IsNullOrEmpty(body["metadata"]?["resourceVersion"]?.ToString()))
        {
            body["metadata"]!["resourceVersion"] = currentRv;
        }

        return body;
    }
}
