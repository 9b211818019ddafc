using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Berth.StackApi;

namespace Berth.ApiServer.Http;

/// <summary>One served resource or subresource and its verbs, in the versions that serve it.</summary>
internal sealed record ServedResource(string Name, string Kind, ImmutableArray<string> Verbs, ImmutableArray<string> Versions);

/// <summary>
/// Discovery: legacy /apis (APIGroupList), /apis/compose.docker.com (APIGroup), /apis/compose.docker.com/v
/// (APIResourceList), and aggregated discovery v2 when the Accept header asks for it
/// (AS/pkg/endpoints/discovery/aggregated/handler.go: the Content-Type echoes the request, ETag and 304).
/// </summary>
internal static class Discovery
{
    private static readonly ImmutableArray<string> AllVersions = StackApiGroup.Versions;
    private static readonly ImmutableArray<string> StructuredVersions = [StackApiGroup.V1Alpha3, StackApiGroup.V1Beta2];

    /// <summary>
    /// compose-on-kubernetes's resources (internal/apiserver/apiserver.go): owner in all versions; composeFile,
    /// scale and log in v1beta2 and v1alpha3. status is Berth's addition, in every version.
    /// </summary>
    public static ImmutableArray<ServedResource> Resources { get; } =
    [
        new(StackApiGroup.Plural, StackApiGroup.Kind, ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], AllVersions),
        new("stacks/status", StackApiGroup.Kind, ["get", "patch", "update"], AllVersions),
        new("stacks/owner", "Owner", ["get"], AllVersions),
        new("stacks/composeFile", "ComposeFile", ["create", "get", "update"], StructuredVersions),
        new("stacks/scale", "Scale", ["get", "update"], StructuredVersions),
        new("stacks/log", "Stack", ["get"], StructuredVersions),
    ];

    /// <summary>kubectl get stk.</summary>
    public static ImmutableArray<string> ShortNames { get; } = ["stk"];

    public const string V2MediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    public const string V2Beta1MediaType = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    public static bool IsServed(string version, string resource)
        => Resources.Any(r => r.Name == resource && r.Versions.Contains(version));

    public static JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(Group()),
    };

    public static JsonObject Group()
    {
        JsonObject Version(string v) => new() { ["groupVersion"] = StackApiGroup.ApiVersion(v), ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = StackApiGroup.Group,
            ["versions"] = new JsonArray([.. AllVersions.Select(v => (JsonNode)Version(v))]),
            ["preferredVersion"] = Version(AllVersions[0]),
        };
    }

    public static JsonObject ResourceList(string version)
    {
        var resources = new JsonArray();
        foreach (var r in Resources.Where(r => r.Versions.Contains(version)))
        {
            var entry = new JsonObject
            {
                ["name"] = r.Name,
                ["singularName"] = r.Name == StackApiGroup.Plural ? StackApiGroup.Singular : string.Empty,
                ["namespaced"] = true,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
            };
            if (r.Name == StackApiGroup.Plural)
            {
                entry["shortNames"] = new JsonArray([.. ShortNames.Select(v => (JsonNode)v)]);
            }

            resources.Add(entry);
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = StackApiGroup.ApiVersion(version),
            ["resources"] = resources,
        };
    }

    /// <summary>The APIGroupDiscoveryList for the v2 (or v2beta1) media type, preferred version first.</summary>
    public static JsonObject Aggregated(string apiVersion)
    {
        var versions = new JsonArray();
        foreach (var version in AllVersions)
        {
            var stacks = Resources[0];
            var subresources = new JsonArray();
            foreach (var r in Resources.Skip(1).Where(r => r.Versions.Contains(version)))
            {
                subresources.Add(new JsonObject
                {
                    ["subresource"] = r.Name["stacks/".Length..],
                    ["responseKind"] = new JsonObject { ["group"] = StackApiGroup.Group, ["version"] = version, ["kind"] = r.Kind },
                    ["verbs"] = new JsonArray([.. r.Verbs.Select(v => (JsonNode)v)]),
                });
            }

            versions.Add(new JsonObject
            {
                ["version"] = version,
                ["resources"] = new JsonArray(new JsonObject
                {
                    ["resource"] = stacks.Name,
                    ["responseKind"] = new JsonObject { ["group"] = StackApiGroup.Group, ["version"] = version, ["kind"] = stacks.Kind },
                    ["scope"] = "Namespaced",
                    ["singularResource"] = StackApiGroup.Singular,
                    ["verbs"] = new JsonArray([.. stacks.Verbs.Select(v => (JsonNode)v)]),
                    ["shortNames"] = new JsonArray([.. ShortNames.Select(v => (JsonNode)v)]),
                    ["subresources"] = subresources,
                }),
                ["freshness"] = "Current",
            });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = apiVersion,
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = StackApiGroup.Group, ["creationTimestamp"] = null },
                ["versions"] = versions,
            }),
        };
    }

    /// <summary>The aggregated media type the Accept header asks for (v2 preferred), or null for legacy discovery.</summary>
    public static string? AggregatedMediaType(string accept)
    {
        foreach (var part in accept.Split(','))
        {
            var parameters = MediaType.Parse(part);
            if (parameters.Type is "application/json" && parameters.Get("g") == "apidiscovery.k8s.io" && parameters.Get("as") == "APIGroupDiscoveryList")
            {
                if (parameters.Get("v") == "v2")
                {
                    return V2MediaType;
                }

                if (parameters.Get("v") == "v2beta1")
                {
                    return V2Beta1MediaType;
                }
            }
        }

        return null;
    }

    public static async Task WriteAggregatedAsync(HttpContext context, string mediaType, CancellationToken cancellationToken)
    {
        var apiVersion = mediaType == V2MediaType ? "apidiscovery.k8s.io/v2" : "apidiscovery.k8s.io/v2beta1";
        var body = Encoding.UTF8.GetBytes(Aggregated(apiVersion).ToJsonString());
        var etag = "\"" + Convert.ToHexString(SHA512.HashData(body)) + "\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.Vary = "Accept";
        context.Response.Headers.CacheControl = "public";
        context.Response.ContentType = mediaType;
        if (context.Request.Headers.IfNoneMatch.Any(v => v == etag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        await context.Response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A media type and its parameters, as in an Accept or Content-Type header.</summary>
internal sealed record MediaType(string Type, ImmutableDictionary<string, string> Parameters)
{
    public static MediaType Parse(string text)
    {
        var pieces = text.Split(';', StringSplitOptions.TrimEntries);
        var parameters = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in pieces.Skip(1))
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim().Trim('"');
            }
        }

        return new MediaType(pieces[0].ToLowerInvariant(), parameters.ToImmutable());
    }

    public string? Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;
}
