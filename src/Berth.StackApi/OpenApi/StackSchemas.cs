using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>OpenAPI schemas of the Stack at a served version, for /openapi/v3 and /openapi/v2.</summary>
public static class StackSchemas
{
    public static JsonObject OpenApiV3(string version) => new() { ["type"] = "object", ["description"] = $"Stack {version}" };

    public static JsonObject OpenApiV2(string version) => new() { ["type"] = "object", ["description"] = $"Stack {version}" };
}
