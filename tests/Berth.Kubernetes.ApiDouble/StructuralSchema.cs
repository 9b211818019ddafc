using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// A CRD version's openAPIV3Schema applied to a custom resource: pruning of unknown fields
/// (apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go) and validation with kube-openapi's messages as
/// apiextensions-apiserver turns them into field errors (pkg/apiserver/validation/validation.go, kubeOpenAPIResultToFieldErrors;
/// k8s.io/kube-openapi pkg/validation/errors/schema.go for the wording).
/// </summary>
internal static class StructuralSchema
{
    /// <summary>
    /// Drops every field the schema does not declare (unless x-kubernetes-preserve-unknown-fields) and answers their
    /// paths ("spec.foo", "spec.services[0].bar"), as the pruning algorithm reports them for strict field validation.
    /// apiVersion, kind and metadata at the root (and in x-kubernetes-embedded-resource objects) are always kept.
    /// </summary>
    public static List<string> Prune(JsonObject obj, JsonObject schema)
    {
        var pruned = new List<string>();
        PruneObject(obj, schema, "", pruned, root: true);
        return pruned;
    }

    private static void PruneNode(JsonNode? node, JsonObject? schema, string path, List<string> pruned)
    {
        if (schema is null || node is null)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                PruneObject(obj, schema, path, pruned, root: false);
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    PruneNode(array[i], items, $"{path}[{i}]", pruned);
                }

                break;
            default:
                break;
        }
    }

    private static void PruneObject(JsonObject obj, JsonObject schema, string path, List<string> pruned, bool root)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        var preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
        var embedded = root || schema["x-kubernetes-embedded-resource"]?.GetValue<bool>() == true;
        foreach (var (key, value) in obj.ToList())
        {
            var child = path.Length == 0 ? key : $"{path}.{key}";
            if (embedded && key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            if (properties?[key] is JsonObject property)
            {
                PruneNode(value, property, child, pruned);
            }
            else if (additional is not null)
            {
                PruneNode(value, additional, child, pruned);
            }
            else if (!preserve)
            {
                obj.Remove(key);
                pruned.Add(child);
            }
        }
    }

    /// <summary>Field errors of <paramref name="obj"/> against the schema (metadata is the API server's own business).</summary>
    public static List<(string Field, string Message)> Validate(JsonObject obj, JsonObject schema)
    {
        var errors = new List<(string Field, string Message)>();
        var withoutMetadata = (JsonObject)obj.DeepClone();
        withoutMetadata.Remove("metadata");
        ValidateNode(withoutMetadata, schema, "", errors);
        return errors;
    }

    private static void ValidateNode(JsonNode? node, JsonObject schema, string path, List<(string Field, string Message)> errors)
    {
        var type = schema["type"]?.ToString();
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var actual = TypeOf(node);
        if (node is null)
        {
            // schema/validation: null is only valid when nullable (else the type check fails on "null").
            if (schema["nullable"]?.GetValue<bool>() != true && (type is not null || intOrString))
            {
                errors.Add((path, TypeMessage(path, intOrString ? "integer,string" : type!, "null")));
            }

            return;
        }

        var wrongType = intOrString ? actual is not ("integer" or "string") : type is not null && !Matches(type, actual);
        if (wrongType)
        {
            errors.Add((path, TypeMessage(path, intOrString ? "integer,string" : type!, actual)));
        }

        // A value outside the enum is reported besides a type error (validation_test.go "enum": both errors);
        // field.NotSupported quotes each supported value's text ("1", "2") and prints the value as JSON.
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            var supported = string.Join(", ", allowed.Select(a => $"\"{(a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : a?.ToJsonString() ?? "null")}\""));
            errors.Add((path, $"Unsupported value: {node.ToJsonString()}: supported values: {supported}"));
        }

        if (wrongType)
        {
            return;
        }

        if (actual == "string" && schema["format"]?.ToString() is { } format && !FormatMatches(format, node.GetValue<string>()))
        {
            // kube-openapi errors.InvalidType for a format: "<path> in body must be of type <format>: \"<value>\"".
            errors.Add((path, $"Invalid value: {node.ToJsonString()}: {Name(path)} in body must be of type {format}: {node.ToJsonString()}"));
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r!.ToString()))
                {
                    if (!obj.ContainsKey(required))
                    {
                        errors.Add((Child(path, required), "Required value"));
                    }
                }

                if (schema["x-kubernetes-embedded-resource"]?.GetValue<bool>() == true)
                {
                    foreach (var field in new[] { "apiVersion", "kind" })
                    {
                        if (obj[field]?.ToString() is null or { Length: 0 })
                        {
                            errors.Add((Child(path, field), "Required value: must not be empty"));
                        }
                    }
                }

                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                foreach (var (key, value) in obj)
                {
                    if (properties?[key] is JsonObject property)
                    {
                        ValidateNode(value, property, Child(path, key), errors);
                    }
                    else if (additional is not null)
                    {
                        ValidateNode(value, additional, Child(path, key), errors);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    ValidateNode(array[i], items, $"{path}[{i}]", errors);
                }

                break;
            default:
                break;
        }
    }

    /// <summary>kube-openapi errors.InvalidType: "&lt;path&gt; in body must be of type &lt;type&gt;: \"&lt;actual&gt;\"", as field.Invalid(path, actual, ...).</summary>
    private static string TypeMessage(string path, string expected, string actual) =>
        $"Invalid value: \"{actual}\": {Name(path)} in body must be of type {expected}: \"{actual}\"";

    private static string Name(string path) => path.Length == 0 ? "body" : path;

    private static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static bool Matches(string expected, string actual) => expected == actual || (expected == "number" && actual == "integer");

    /// <summary>The JSON type as kube-openapi names it; a number without fraction or exponent is an integer.</summary>
    private static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => value.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0 ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    /// <summary>The formats apiextensions-apiserver validates (others, like "password", are not checked).</summary>
    private static bool FormatMatches(string format, string value) => format switch
    {
        "date-time" => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _) && value.Contains('T', StringComparison.OrdinalIgnoreCase),
        "date" => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Guid.TryParseExact(value, "D", out _),
        "byte" => IsBase64(value),
        "ipv4" => IPAddress.TryParse(value, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && value.Count(c => c == '.') == 3,
        "ipv6" => IPAddress.TryParse(value, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        _ => true,
    };

    private static bool IsBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out _);
    }
}
