using System.Text.Json.Nodes;
using Berth.StackApi.Types;

namespace Berth.StackApi;

/// <summary>
/// OpenAPI schemas of the Stack at a served version, generated from the same shapes the codec decodes with, so
/// they cannot disagree: structural (every field typed), described (for <c>kubectl explain stacks.spec.services</c>),
/// and tagged with x-kubernetes-group-version-kind. The server puts them in /openapi/v3 and /openapi/v2.
/// </summary>
public static class StackSchemas
{
    /// <summary>The schema name kube-openapi would give the type (Go package path, dots).</summary>
    public static string SchemaName(string version) => $"com.docker.compose.{version}.Stack";

    public static JsonObject OpenApiV3(string version) => Stack(version, v3: true);

    /// <summary>The same as <see cref="OpenApiV3"/> in Swagger 2.0's dialect (no <c>nullable</c>).</summary>
    public static JsonObject OpenApiV2(string version) => Stack(version, v3: false);

    /// <summary>
    /// The schema of the version as a CustomResourceDefinition's <c>openAPIV3Schema</c>: the OpenAPI v3 schema without
    /// what a CRD may not say (x-kubernetes-group-version-kind; anything on metadata but its type, per
    /// apiextensions' structural-schema rules in k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go).
    /// </summary>
    public static JsonObject CustomResourceSchema(string version)
    {
        var schema = OpenApiV3(version);
        schema.Remove("x-kubernetes-group-version-kind");
        schema["properties"]!["metadata"] = new JsonObject { ["type"] = "object" };
        return schema;
    }

    private static JsonObject Stack(string version, bool v3)
    {
        if (!StackApiGroup.IsServed(version))
        {
            throw new ArgumentException($"'{version}' is not a served version of {StackApiGroup.Group}", nameof(version));
        }

        var spec = version == StackApiGroup.V1Beta1 ? StackShapes.V1Beta1Spec : StackShapes.SpecFor(version);
        return new JsonObject
        {
            ["description"] = version == StackApiGroup.V1Beta1
                ? "A Compose stack given as the text of a Compose file, deployed by Berth as Kubernetes workloads and Services."
                : "A Compose stack: services, secrets and configs as in a Compose file, deployed by Berth as Kubernetes workloads and Services.",
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = Described("string", "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."),
                ["kind"] = Described("string", "Kind is a string value representing the REST resource this object represents. In CamelCase."),
                ["metadata"] = Described("object", "Standard object's metadata (ObjectMeta)."),
                ["spec"] = Schema(spec, v3),
                ["status"] = Schema(StackShapes.Status, v3),
            },
            ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject
            {
                ["group"] = StackApiGroup.Group,
                ["kind"] = StackApiGroup.Kind,
                ["version"] = version,
            }),
        };
    }

    private static JsonObject Described(string type, string description) => new() { ["description"] = description, ["type"] = type };

    private static JsonObject Schema(Shape shape, bool v3, bool nullable = false)
    {
        var schema = new JsonObject();
        if (shape.Description.Length > 0)
        {
            schema["description"] = shape.Description;
        }

        switch (shape)
        {
            case ObjectShape o:
                schema["type"] = "object";
                var properties = new JsonObject();
                foreach (var field in o.Fields)
                {
                    properties[field.Name] = Schema(field.Shape, v3, field.Emit == Emit.Nullable);
                }

                schema["properties"] = properties;
                break;
            case ArrayShape a:
                schema["type"] = "array";
                schema["items"] = Schema(a.Items, v3);
                break;
            case MapShape m:
                schema["type"] = "object";
                schema["additionalProperties"] = Schema(m.Values, v3, m.NullableValues);
                break;
            case ScalarShape s:
                Scalar(schema, s.Type);
                break;
        }

        if (nullable && v3)
        {
            schema["nullable"] = true;
        }

        return schema;
    }

    private static void Scalar(JsonObject schema, ScalarType type)
    {
        switch (type)
        {
            case ScalarType.String:
                schema["type"] = "string";
                break;
            case ScalarType.Bool:
                schema["type"] = "boolean";
                break;
            case ScalarType.Int32:
                schema["type"] = "integer";
                schema["format"] = "int32";
                break;
            case ScalarType.UInt32:
                schema["type"] = "integer";
                schema["format"] = "int64";
                schema["minimum"] = 0;
                schema["maximum"] = uint.MaxValue;
                break;
            case ScalarType.UInt64:
                schema["type"] = "integer";
                schema["format"] = "int64";
                schema["minimum"] = 0;
                break;
            default:
                schema["type"] = "integer";
                schema["format"] = "int64";
                break;
        }
    }
}
