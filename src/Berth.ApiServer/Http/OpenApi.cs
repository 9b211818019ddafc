using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.StackApi;

namespace Berth.ApiServer.Http;

/// <summary>
/// /openapi/v2 and /openapi/v3 (kube-openapi pkg/handler3/handler.go): the v3 root lists one document per
/// group-version with <c>?hash=</c> (upper-case SHA-512 of the document, also its ETag); each PATCH carries
/// <c>fieldValidation</c>, <c>dryRun</c>, <c>fieldManager</c> and <c>force</c>, so kubectl's --validate=strict
/// leaves validation to the server (CLI/pkg/resource/query_param_verifier_v3.go), and never advertises strategic
/// merge patch (kubectl apply would send one: KC/pkg/cmd/apply/patcher.go).
/// </summary>
internal static class OpenApi
{
    private static readonly string[] PatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

    private static string SchemaName(string version) => $"com.docker.compose.{version}.Stack";

    private static JsonObject Gvk(string version) => new() { ["group"] = StackApiGroup.Group, ["version"] = version, ["kind"] = StackApiGroup.Kind };

    private static JsonObject Parameter(string name, string description, string type = "string") => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonArray WriteParameters(bool patch)
    {
        var parameters = new JsonArray(
            Parameter("dryRun", "When present, indicates that modifications should not be persisted. The only valid value is All."),
            Parameter("fieldManager", "A name associated with the actor or entity that is making these changes. Required for apply requests."),
            Parameter("fieldValidation", "How the server treats unknown fields in the object: Ignore, Warn (default) or Strict."));
        if (patch)
        {
            parameters.Add(Parameter("force", "Force is going to \"force\" Apply requests.", "boolean"));
        }

        return parameters;
    }

    private static JsonObject Ref(string version) => new() { ["$ref"] = $"#/components/schemas/{SchemaName(version)}" };

    private static JsonObject Response(JsonObject schema) => new()
    {
        ["description"] = "OK",
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } },
    };

    private static JsonObject Operation(string id, string action, string version, JsonArray? parameters = null, JsonObject? requestBody = null)
    {
        var op = new JsonObject
        {
            ["tags"] = new JsonArray($"compose{version}"),
            ["operationId"] = id + version + "NamespacedStack",
            ["responses"] = new JsonObject { ["200"] = Response(Ref(version)) },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = Gvk(version),
        };
        if (parameters is not null)
        {
            op["parameters"] = parameters;
        }

        if (requestBody is not null)
        {
            op["requestBody"] = requestBody;
        }

        return op;
    }

    private static JsonObject Body(string version, IEnumerable<string> types)
    {
        var content = new JsonObject();
        foreach (var t in types)
        {
            content[t] = new JsonObject { ["schema"] = Ref(version) };
        }

        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private static JsonArray PathParameters(bool named)
    {
        var list = new JsonArray(new JsonObject { ["name"] = "namespace", ["in"] = "path", ["required"] = true, ["description"] = "object name and auth scope, such as for teams and projects", ["schema"] = new JsonObject { ["type"] = "string" } });
        if (named)
        {
            list.Add(new JsonObject { ["name"] = "name", ["in"] = "path", ["required"] = true, ["description"] = "name of the Stack", ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        return list;
    }

    /// <summary>The OpenAPI v3 document of one group-version.</summary>
    public static JsonObject V3Document(string version)
    {
        var basePath = $"/apis/{StackApiGroup.Group}/{version}";
        var schema = StackSchemas.OpenApiV3(version);
        schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(version));
        var listSchema = new JsonObject
        {
            ["type"] = "object",
            ["description"] = "StackList is a list of stacks.",
            ["required"] = new JsonArray("items"),
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["type"] = "object" },
                ["items"] = new JsonObject { ["type"] = "array", ["items"] = Ref(version) },
            },
            ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = StackApiGroup.Group, ["version"] = version, ["kind"] = StackApiGroup.ListKind }),
        };
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Berth Stack API", ["version"] = version },
            ["paths"] = new JsonObject
            {
                [$"{basePath}/namespaces/{{namespace}}/stacks"] = new JsonObject
                {
                    ["get"] = Operation("list", "list", version),
                    ["post"] = Operation("create", "post", version, WriteParameters(false), Body(version, ["application/json"])),
                    ["delete"] = Operation("deleteCollection", "deletecollection", version),
                    ["parameters"] = PathParameters(false),
                },
                [$"{basePath}/namespaces/{{namespace}}/stacks/{{name}}"] = new JsonObject
                {
                    ["get"] = Operation("read", "get", version),
                    ["put"] = Operation("replace", "put", version, WriteParameters(false), Body(version, ["application/json"])),
                    ["patch"] = Operation("patch", "patch", version, WriteParameters(true), Body(version, PatchTypes)),
                    ["delete"] = Operation("delete", "delete", version),
                    ["parameters"] = PathParameters(true),
                },
                [$"{basePath}/namespaces/{{namespace}}/stacks/{{name}}/status"] = new JsonObject
                {
                    ["get"] = Operation("readStatus", "get", version),
                    ["put"] = Operation("replaceStatus", "put", version, WriteParameters(false), Body(version, ["application/json"])),
                    ["patch"] = Operation("patchStatus", "patch", version, WriteParameters(true), Body(version, PatchTypes)),
                    ["parameters"] = PathParameters(true),
                },
            },
            ["components"] = new JsonObject
            {
                ["schemas"] = new JsonObject { [SchemaName(version)] = schema, [SchemaName(version) + "List"] = listSchema },
            },
        };
    }

    public static string Hash(JsonObject document)
        => Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(document.ToJsonString())));

    public static JsonObject V3Root()
    {
        var paths = new JsonObject();
        foreach (var version in StackApiGroup.Versions)
        {
            paths[$"apis/{StackApiGroup.Group}/{version}"] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/apis/{StackApiGroup.Group}/{version}?hash={Hash(V3Document(version))}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>Swagger 2.0 for clients that still read /openapi/v2 (the docker CLI's client-go, the aggregator's fallback).</summary>
    public static JsonObject V2()
    {
        var definitions = new JsonObject();
        var paths = new JsonObject();
        foreach (var version in StackApiGroup.Versions)
        {
            var schema = StackSchemas.OpenApiV2(version);
            schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(version));
            definitions[SchemaName(version)] = schema;
            var basePath = $"/apis/{StackApiGroup.Group}/{version}/namespaces/{{namespace}}/stacks";
            JsonObject Op(string id, string action) => new()
            {
                ["operationId"] = id + version + "NamespacedStack",
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK", ["schema"] = new JsonObject { ["$ref"] = $"#/definitions/{SchemaName(version)}" } } },
                ["x-kubernetes-action"] = action,
                ["x-kubernetes-group-version-kind"] = Gvk(version),
            };
            var patch = Op("patch", "patch");
            patch["consumes"] = new JsonArray([.. PatchTypes.Select(t => (JsonNode)t)]);
            patch["parameters"] = new JsonArray([.. WriteParameters(true).Select(p => { var o = (JsonObject)p!.DeepClone(); o["type"] = o["schema"]!["type"]!.DeepClone(); o.Remove("schema"); return (JsonNode)o; })]);
            paths[basePath] = new JsonObject { ["get"] = Op("list", "list"), ["post"] = Op("create", "post") };
            paths[basePath + "/{name}"] = new JsonObject { ["get"] = Op("read", "get"), ["put"] = Op("replace", "put"), ["patch"] = patch, ["delete"] = Op("delete", "delete") };
        }

        return new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Berth Stack API", ["version"] = StackApiGroup.Versions[0] },
            ["paths"] = paths,
            ["definitions"] = definitions,
        };
    }

    public static async Task WriteV3DocumentAsync(HttpContext context, string version, CancellationToken ct)
    {
        var document = V3Document(version);
        var hash = Hash(document);
        var requested = context.Request.Query["hash"].ToString();
        if (requested.Length > 0 && requested != hash)
        {
            // A stale hash: redirect to the current document (handler3.go).
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = $"/openapi/v3/apis/{StackApiGroup.Group}/{version}?hash={hash}";
            return;
        }

        context.Response.Headers.ETag = "\"" + hash + "\"";
        context.Response.Headers.CacheControl = requested.Length > 0 ? "public, immutable" : "no-cache, private";
        if (context.Request.Headers.IfNoneMatch.Any(v => v == "\"" + hash + "\""))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        await HttpBodies.WriteJsonAsync(context, 200, document, ct).ConfigureAwait(false);
    }
}
