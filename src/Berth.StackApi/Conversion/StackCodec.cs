using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.StackApi.Types;

namespace Berth.StackApi;

/// <summary>
/// Request bodies at a served version to the storage form and back. The storage form
/// (<c>compose.docker.com/storage</c>, docs/design/stack-api.md) is compose-on-kubernetes's internal Stack
/// (internal/internalversion/types.go) in JSON: <c>spec.stack</c> the v1alpha3 StackSpec as Go writes it,
/// <c>spec.composeFile</c> the Compose text when the stack came from one, <c>spec.owner</c> the recorded user.
/// </summary>
public static class StackCodec
{
    internal const string StackKey = "stack";
    internal const string ComposeFileKey = "composeFile";
    internal const string OwnerKey = "owner";

    private static readonly ImmutableHashSet<string> TopLevel = ["apiVersion", "kind", "metadata", "spec", "status"];

    // ObjectMeta's JSON fields (k8s.io/apimachinery pkg/apis/meta/v1/types.go), for strict decoding of metadata.
    private static readonly ImmutableHashSet<string> ObjectMetaFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    public static StackDecodeResult Decode(JsonObject body, string version, JsonObject? existingStored)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!StackApiGroup.IsServed(version))
        {
            throw new ArgumentException($"'{version}' is not a served version of {StackApiGroup.Group}", nameof(version));
        }

        var json = new GoJson();
        var unknown = new List<string>();
        var errors = new List<FieldError>();
        foreach (var (key, _) in body)
        {
            if (!TopLevel.Contains(key))
            {
                unknown.Add(key);
            }
        }

        CheckString(body, "apiVersion", StackApiGroup.ApiVersion(version), errors);
        CheckString(body, "kind", StackApiGroup.Kind, errors);
        var metadata = new JsonObject();
        switch (body["metadata"])
        {
            case JsonObject m:
                metadata = (JsonObject)m.DeepClone();
                unknown.AddRange(m.Select(e => e.Key).Where(k => !ObjectMetaFields.Contains(k)).Select(k => $"metadata.{k}"));
                CheckMetadataTypes(metadata, errors);
                break;
            case null:
                break;
            case var other:
                errors.Add(new FieldError(FieldErrorTypes.TypeInvalid, "metadata", $"Invalid value: {other.ToJsonString()}: must be an object"));
                break;
        }

        var spec = new JsonObject();
        var existingSpec = existingStored?["spec"] as JsonObject;
        var bodySpec = body["spec"];
        if (version == StackApiGroup.V1Beta1)
        {
            var v1 = json.Object(StackShapes.V1Beta1Spec, bodySpec, "spec");
            var text = v1[ComposeFileKey]?.GetValue<string>() ?? string.Empty;
            if (existingStored is not null && existingSpec?[StackKey] is JsonObject kept && StackComposeFile.GetText(existingStored) == text)
            {
                // The text the client read back unchanged: keep the structure (and its v1alpha3-only fields) as it is.
                spec[StackKey] = kept.DeepClone();
                if (existingSpec[ComposeFileKey] is JsonValue keptText)
                {
                    spec[ComposeFileKey] = keptText.DeepClone();
                }
            }
            else if (text.Length > 0)
            {
                var stored = new JsonObject { ["metadata"] = metadata.DeepClone(), ["spec"] = spec };
                errors.AddRange(StackComposeFile.SetText(stored, text));
                stored.Remove("spec");
            }
        }
        else if (bodySpec is not null)
        {
            var structured = json.Object(StackShapes.SpecFor(version), bodySpec, "spec");
            if (version == StackApiGroup.V1Beta2)
            {
                StackConversions.KeepAlphaFields(structured, existingSpec?[StackKey] as JsonObject);
            }

            spec[StackKey] = structured;
            if (existingSpec?[ComposeFileKey] is JsonValue oldText && existingSpec[StackKey] is JsonObject oldStack && JsonNode.DeepEquals(oldStack, structured))
            {
                // Structure unchanged: the Compose text it came from still describes it.
                spec[ComposeFileKey] = oldText.DeepClone();
            }
        }

        if (existingSpec?[OwnerKey] is JsonObject owner)
        {
            spec[OwnerKey] = owner.DeepClone();
        }

        var result = new JsonObject
        {
            ["apiVersion"] = StackApiGroup.ApiVersion(StackApiGroup.StorageVersion),
            ["kind"] = StackApiGroup.Kind,
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
        if (body["status"] is { } status)
        {
            result["status"] = json.Object(StackShapes.Status, status, "status");
        }

        unknown.AddRange(json.Unknown);
        errors.AddRange(json.Errors);
        return new StackDecodeResult(result, [.. unknown], [.. errors]);
    }

    public static JsonObject Encode(JsonObject stored, string version)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!StackApiGroup.IsServed(version))
        {
            throw new ArgumentException($"'{version}' is not a served version of {StackApiGroup.Group}", nameof(version));
        }

        var result = new JsonObject
        {
            ["kind"] = StackApiGroup.Kind,
            ["apiVersion"] = StackApiGroup.ApiVersion(version),
            ["metadata"] = stored["metadata"]?.DeepClone() ?? new JsonObject(),
        };
        var status = stored["status"] as JsonObject;
        if (version == StackApiGroup.V1Beta1)
        {
            // v1beta1's Spec and Status are struct values: Go always writes them, empty as {}.
            var spec = new JsonObject();
            if (StackComposeFile.GetText(stored) is { Length: > 0 } text)
            {
                spec[ComposeFileKey] = text;
            }

            result["spec"] = spec;
            result["status"] = new GoJson().Object(StackShapes.Status, status, "status");
            return result;
        }

        if (StackConversions.StructuredSpec(stored) is { } structured)
        {
            result["spec"] = version == StackApiGroup.V1Alpha3 ? structured : StackConversions.WithoutAlphaFields(structured);
        }

        if (status is not null)
        {
            result["status"] = new GoJson().Object(StackShapes.Status, status, "status");
        }

        return result;
    }

    /// <summary>ObjectMeta's field types, so every later reader of the stored metadata can trust them.</summary>
    private static void CheckMetadataTypes(JsonObject metadata, List<FieldError> errors)
    {
        foreach (var (key, value) in metadata)
        {
            if (value is null)
            {
                continue;
            }

            var kind = value.GetValueKind();
            var expected = key switch
            {
                "generation" or "deletionGracePeriodSeconds" => kind == JsonValueKind.Number && GoJson.TryInt64(value, out _) ? null : "an integer",
                "labels" or "annotations" => value is JsonObject map && map.All(e => e.Value?.GetValueKind() == JsonValueKind.String) ? null : "a map of strings",
                "finalizers" => value is JsonArray list && list.All(e => e?.GetValueKind() == JsonValueKind.String) ? null : "a list of strings",
                "ownerReferences" or "managedFields" => value is JsonArray list && list.All(e => e is JsonObject) ? null : "a list of objects",
                _ when ObjectMetaFields.Contains(key) => kind == JsonValueKind.String ? null : "a string",
                _ => null,
            };
            if (expected is not null)
            {
                errors.Add(new FieldError(FieldErrorTypes.TypeInvalid, $"metadata.{key}", $"Invalid value: {value.ToJsonString()}: must be {expected}"));
            }
        }

        // Dropped so readers of the stored form need not check types again.
        foreach (var bad in errors.Where(e => e.Field.StartsWith("metadata.", StringComparison.Ordinal)).Select(e => e.Field["metadata.".Length..]).ToList())
        {
            metadata.Remove(bad);
        }
    }

    private static void CheckString(JsonObject body, string key, string expected, List<FieldError> errors)
    {
        if (body[key] is { } node && (node.GetValueKind() != JsonValueKind.String || node.GetValue<string>() != expected))
        {
            errors.Add(new FieldError(FieldErrorTypes.Invalid, key, $"Invalid value: {node.ToJsonString()}: must be {expected}"));
        }
    }
}
