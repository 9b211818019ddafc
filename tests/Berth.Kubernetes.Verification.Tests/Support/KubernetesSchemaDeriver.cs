using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>
/// Derives the per-kind "standalone strict" JSON schema of a Kubernetes kind from the OpenAPI v2 document
/// (testdata/schemas/kubernetes/swagger.json.gz), following yannh/kubernetes-json-schema's openapi2jsonschema
/// --stand-alone --strict conventions as described in that folder's SOURCE.md. Derived at test time so the repository
/// holds the 300 KB upstream document instead of 6.5 MB of generated files; the output was checked equal (as JSON) to
/// all 42 files generated before.
/// </summary>
internal sealed class KubernetesSchemaDeriver
{
    private const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private const string DefinitionsRef = "#/definitions/";

    private readonly JsonObject _definitions;

    // JsonNode materialises its children lazily on first read, so concurrent readers must not share it unguarded.
    private readonly Lock _lock = new();

    public KubernetesSchemaDeriver(JsonObject definitions) => _definitions = definitions;

    /// <summary>Reads the gzip-compressed OpenAPI v2 document.</summary>
    public static KubernetesSchemaDeriver FromCompressedOpenApi(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var document = JsonNode.Parse(gzip) ?? throw new InvalidDataException($"{path}: empty OpenAPI document");
        return new KubernetesSchemaDeriver(document["definitions"]?.AsObject() ?? throw new InvalidDataException($"{path}: no definitions"));
    }

    /// <summary>
    /// The standalone schema of one definition: every $ref inlined except a recursive one (kept as a local reference
    /// into <c>definitions</c>), objects with properties closed, optional values nullable, apiVersion and kind pinned.
    /// </summary>
    public JsonObject Derive(string definition, string apiVersion, string kind, ImmutableArray<string> recursive)
    {
        lock (_lock)
        {
            var schema = Convert(Definition(definition), nullable: false, recursive, []);
            var properties = schema["properties"]!.AsObject();
            properties["apiVersion"]!.AsObject()["enum"] = new JsonArray(apiVersion);
            properties["kind"]!.AsObject()["enum"] = new JsonArray(kind);
            if (!recursive.IsEmpty)
            {
                var definitions = new JsonObject();
                foreach (var name in recursive)
                {
                    definitions[name] = Convert(Definition(name), nullable: true, recursive, [name]);
                }

                schema["definitions"] = definitions;
            }

            return schema;
        }
    }

    private JsonObject Definition(string name)
        => _definitions[name]?.AsObject() ?? throw new InvalidDataException($"OpenAPI document has no definition '{name}'");

    private JsonObject Convert(JsonObject source, bool nullable, ImmutableArray<string> recursive, ImmutableStack<string> followed)
    {
        if (source["$ref"] is JsonValue reference)
        {
            var name = reference.GetValue<string>()[DefinitionsRef.Length..];
            if (recursive.Contains(name) && followed.Contains(name))
            {
                return new JsonObject { ["$ref"] = DefinitionsRef + name };
            }

            // The referenced definition's own description replaces the referring property's (as yannh's files do).
            var inlined = Convert(Definition(name), nullable, recursive, followed.Push(name));
            return name == Quantity ? EitherOf(inlined, "string", "number") : inlined;
        }

        if (source["format"] is JsonValue format && format.GetValue<string>() == "int-or-string")
        {
            return EitherOf(source, "string", "integer");
        }

        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            result[key] = (key, value) switch
            {
                ("properties", JsonObject properties) => ConvertProperties(properties, source["required"] as JsonArray, recursive, followed),
                ("items", JsonObject items) => Convert(items, nullable: true, recursive, followed),
                ("additionalProperties", JsonObject values) => Convert(values, nullable: true, recursive, followed),
                ("type", JsonValue type) when nullable => new JsonArray(type.GetValue<string>(), "null"),
                _ => value?.DeepClone(),
            };
        }

        if (result.ContainsKey("properties"))
        {
            result["additionalProperties"] = false;
        }

        return result;
    }

    private JsonObject ConvertProperties(JsonObject properties, JsonArray? required, ImmutableArray<string> recursive, ImmutableStack<string> followed)
    {
        var names = required?.Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal) ?? [];
        var result = new JsonObject();
        foreach (var (name, property) in properties)
        {
            result[name] = Convert(property!.AsObject(), nullable: !names.Contains(name), recursive, followed);
        }

        return result;
    }

    /// <summary>IntOrString and Quantity: one of two nullable types, whether or not the field is required (as generated before).</summary>
    private static JsonObject EitherOf(JsonObject source, string first, string second)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key is not ("type" or "format"))
            {
                result[key] = value?.DeepClone();
            }
        }

        result["oneOf"] = new JsonArray(
            new JsonObject { ["type"] = new JsonArray(first, "null") },
            new JsonObject { ["type"] = new JsonArray(second, "null") });
        return result;
    }
}
