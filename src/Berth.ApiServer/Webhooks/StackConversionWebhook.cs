using System.Text.Json.Nodes;
using Berth.StackApi;

namespace Berth.ApiServer.Webhooks;

/// <summary>
/// The CRD's conversion webhook (apiextensions.k8s.io/v1 ConversionReview; apiextensions-apiserver
/// pkg/apiserver/conversion/webhook_converter.go): each object is decoded from its version and encoded in the
/// desired one with the aggregated server's codec, metadata unchanged. A conversion through v1beta2 or v1beta1 loses
/// what those versions cannot hold (v1alpha3-only fields; the Compose text in the structured versions), as the
/// aggregated server's reads at those versions do; the CRD stores v1alpha3, the richest structured version.
/// </summary>
internal static class StackConversionWebhook
{
    public const string ApiVersion = "apiextensions.k8s.io/v1";

    public static JsonObject Convert(JsonObject review)
    {
        var request = review["request"] as JsonObject;
        var uid = request?["uid"]?.ToString() ?? string.Empty;
        var desired = request?["desiredAPIVersion"]?.ToString() ?? string.Empty;
        var prefix = StackApiGroup.Group + "/";
        if (review["apiVersion"]?.ToString() != ApiVersion || review["kind"]?.ToString() != "ConversionReview" || request is null)
        {
            return Failed(uid, $"expected a ConversionReview of {ApiVersion}");
        }

        if (!desired.StartsWith(prefix, StringComparison.Ordinal) || !StackApiGroup.IsServed(desired[prefix.Length..]))
        {
            return Failed(uid, $"desiredAPIVersion \"{desired}\" is not a served version of {StackApiGroup.Group}");
        }

        var converted = new JsonArray();
        foreach (var item in request["objects"] as JsonArray ?? [])
        {
            if (item is not JsonObject source)
            {
                return Failed(uid, "objects holds something that is not an object");
            }

            var from = source["apiVersion"]?.ToString() ?? string.Empty;
            if (from == desired)
            {
                converted.Add(source.DeepClone());
                continue;
            }

            if (!from.StartsWith(prefix, StringComparison.Ordinal) || !StackApiGroup.IsServed(from[prefix.Length..]))
            {
                return Failed(uid, $"apiVersion \"{from}\" is not a served version of {StackApiGroup.Group}");
            }

            var decoded = StackCodec.Decode(source, from[prefix.Length..], null);
            if (decoded.Stored is null || !decoded.Errors.IsEmpty)
            {
                // Field paths and reasons only: the codec's messages never quote environment values or secret contents.
                return Failed(uid, $"cannot convert {source["metadata"]?["name"]} from {from}: " + string.Join("; ", decoded.Errors.Select(e => e.Field + ": " + e.Type)));
            }

            converted.Add(StackCodec.Encode(decoded.Stored, desired[prefix.Length..]));
        }

        return Review(new JsonObject { ["uid"] = uid, ["convertedObjects"] = converted, ["result"] = new JsonObject { ["status"] = "Success" } });
    }

    private static JsonObject Failed(string uid, string message)
        => Review(new JsonObject { ["uid"] = uid, ["convertedObjects"] = new JsonArray(), ["result"] = new JsonObject { ["status"] = "Failure", ["message"] = message } });

    private static JsonObject Review(JsonObject response)
        => new() { ["apiVersion"] = ApiVersion, ["kind"] = "ConversionReview", ["response"] = response };
}
