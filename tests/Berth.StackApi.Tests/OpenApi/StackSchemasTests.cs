using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.StackApi.Tests.Types;
using Json.Schema;

namespace Berth.StackApi.Tests.OpenApi;

public sealed class StackSchemasTests
{
    [Theory]
    [InlineData("v1alpha3")]
    [InlineData("v1beta2")]
    [InlineData("v1beta1")]
    public void Golden_stack_validates_against_its_version_schema_with_no_field_outside_it(string version)
    {
        var schema = ToClosedJsonSchema(StackSchemas.OpenApiV3(version));

        var result = schema.Evaluate(JsonDocument.Parse(StackTestData.Load(version).ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, Describe(result));
    }

    [Fact]
    public void V1alpha3_stack_does_not_validate_against_v1beta2_schema()
    {
        var schema = ToClosedJsonSchema(StackSchemas.OpenApiV3("v1beta2"));
        var alpha = StackTestData.Load("v1alpha3");
        alpha["apiVersion"] = "compose.docker.com/v1beta2";

        var result = schema.Evaluate(JsonDocument.Parse(alpha.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.False(result.IsValid);
        Assert.Contains("pull_secret", Describe(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_types_fail_validation()
    {
        var schema = ToClosedJsonSchema(StackSchemas.OpenApiV3("v1alpha3"));
        var stack = StackTestData.Load("v1alpha3");
        stack["spec"]!["services"]![0]!["stop_grace_period"] = "20s";

        Assert.False(schema.Evaluate(JsonDocument.Parse(stack.ToJsonString()).RootElement).IsValid);
    }

    [Fact]
    public void Services_items_describe_every_field_for_kubectl_explain()
    {
        var services = StackSchemas.OpenApiV3("v1alpha3")["properties"]!["spec"]!["properties"]!["services"]!;

        Assert.Equal("array", services["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(services["description"]?.GetValue<string>()));
        var properties = services["items"]!["properties"]!.AsObject();
        foreach (var name in (string[])["name", "image", "deploy", "environment", "ports", "health_check", "pull_secret", "internal_service_type"])
        {
            Assert.True(properties.ContainsKey(name), name);
        }

        foreach (var (name, property) in properties)
        {
            Assert.False(string.IsNullOrEmpty(property!["description"]?.GetValue<string>()), $"{name} has no description");
            Assert.NotNull(property["type"]);
        }

        Assert.Equal("object", properties["deploy"]!["type"]!.GetValue<string>());
        Assert.True(properties["deploy"]!["properties"]!["update_config"]!["properties"]!.AsObject().ContainsKey("paralellism"));
        Assert.DoesNotContain("pull_secret", StackSchemas.OpenApiV3("v1beta2").ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(
            """[{"group":"compose.docker.com","kind":"Stack","version":"v1alpha3"}]""",
            StackSchemas.OpenApiV3("v1alpha3")["x-kubernetes-group-version-kind"]!.ToJsonString());
    }

    [Theory]
    [InlineData("v1alpha3")]
    [InlineData("v1beta2")]
    [InlineData("v1beta1")]
    public void Schemas_are_structural(string version)
    {
        foreach (var schema in new[] { StackSchemas.OpenApiV3(version), StackSchemas.OpenApiV2(version) })
        {
            AssertStructural(schema, "");
        }

        Assert.DoesNotContain("nullable", StackSchemas.OpenApiV2(version).ToJsonString(), StringComparison.Ordinal);
    }

    private static void AssertStructural(JsonNode schema, string path)
    {
        // Every node has a type; an object has properties or additionalProperties, never both.
        Assert.True(schema["type"] is not null, $"{path} has no type");
        if (schema["properties"] is JsonObject properties)
        {
            Assert.Null(schema["additionalProperties"]);
            foreach (var (name, property) in properties)
            {
                AssertStructural(property!, $"{path}.{name}");
            }
        }

        if (schema["additionalProperties"] is JsonObject values)
        {
            AssertStructural(values, $"{path}[*]");
        }

        if (schema["items"] is JsonObject items)
        {
            AssertStructural(items, $"{path}[]");
        }
    }

    /// <summary>OpenAPI v3.0 to JSON Schema: nullable as a null type, and objects closed so no unknown field passes.</summary>
    private static JsonSchema ToClosedJsonSchema(JsonObject openApi)
    {
        var copy = (JsonObject)openApi.DeepClone();
        Close(copy, isMetadata: false);
        return JsonSchema.FromText(copy.ToJsonString());

        static void Close(JsonObject schema, bool isMetadata)
        {
            if (schema["nullable"] is JsonValue)
            {
                schema.Remove("nullable");
                schema["type"] = new JsonArray(schema["type"]!.GetValue<string>(), "null");
            }

            schema.Remove("x-kubernetes-group-version-kind");
            schema.Remove("format");
            if (schema["properties"] is JsonObject properties)
            {
                schema["additionalProperties"] = false;
                foreach (var (name, property) in properties)
                {
                    Close((JsonObject)property!, name == "metadata");
                }
            }
            else if (schema["type"]?.ToJsonString() == "\"object\"" && schema["additionalProperties"] is null && !isMetadata)
            {
                schema["additionalProperties"] = false;
            }

            foreach (var key in (string[])["items", "additionalProperties"])
            {
                if (schema[key] is JsonObject child)
                {
                    Close(child, isMetadata: false);
                }
            }
        }
    }

    private static string Describe(EvaluationResults result)
        => string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));
}
