using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson.Exceptions;
using Microsoft.AspNetCore.JsonPatch.SystemTextJson.Operations;

namespace Berth.ApiServer.Http;

/// <summary>JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server applies them to the object JSON.</summary>
internal static class Patches
{
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Merge(result[key], value);
            }
        }

        return result;
    }

    /// <summary>
    /// Applies the operations in order with Microsoft.AspNetCore.JsonPatch.SystemTextJson, kept to kube-apiserver's
    /// rules (evanphx/json-patch as AS/pkg/endpoints/handlers/patch.go applies it): an unknown op or a missing member
    /// is refused before anything is applied, and the first failing operation fails the whole patch, 422, worded as
    /// json-patch words it. The library's own messages are not passed on: they quote values, which may be secrets.
    /// </summary>
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var parsed = new List<Operation>();
        foreach (var node in operations)
        {
            if (node is not JsonObject op || op["op"]?.ToString() is not { } kind || op["path"]?.ToString() is not { } path)
            {
                throw Invalid("each operation needs \"op\" and \"path\"");
            }

            if (kind is not ("add" or "remove" or "replace" or "move" or "copy" or "test"))
            {
                throw Invalid($"Unexpected kind: {kind}");
            }

            // The library addresses members only; the whole document ("" ) is not a member.
            if (path.Length == 0 || path[0] != '/')
            {
                throw Invalid($"{kind} operation does not apply: doc is missing path: \"{path}\"");
            }

            var from = kind is "move" or "copy" ? From(op) : null;
            var value = kind is "add" or "replace" or "test" ? Value(op) : null;
            parsed.Add(new Operation(kind, path, from, value));
        }

        var target = document.DeepClone();
        Operation? failed = null;
        try
        {
            new JsonPatchDocument(parsed, JsonSerializerOptions.Default).ApplyTo(target, error => failed ??= error.Operation);
        }
        catch (JsonPatchException e)
        {
            failed ??= e.FailedOperation ?? parsed[0];
        }

        if (failed is not null)
        {
            throw Invalid(failed.op == "test"
                ? $"testing value {failed.path} failed"
                : $"{failed.op} operation does not apply: doc is missing path: {(failed.op is "move" or "copy" ? failed.from + " or " : string.Empty)}{failed.path}");
        }

        return target;
    }

    private static ApiException Invalid(string message) => new(422, "Invalid", message);

    private static string From(JsonObject op) => op["from"]?.ToString() ?? throw Invalid("\"from\" is required");

    private static JsonNode? Value(JsonObject op) => op.ContainsKey("value") ? op["value"]?.DeepClone() : throw Invalid("\"value\" is required");
}
