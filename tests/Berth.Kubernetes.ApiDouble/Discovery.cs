using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Minimal answers for /version, /api, /apis and the per-group resource lists.</summary>
internal static class Discovery
{
    public static JsonObject? Answer(string path, CustomResources? custom = null)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (custom is not null && segments is ["apis", _, ..] && segments.Length <= 3 && CustomResourceDiscovery.Answer(segments, custom.All()) is { } answer)
        {
            return answer;
        }

        return segments switch
        {
            ["version"] => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "33",
                ["gitVersion"] = "v1.33.0-berth-test-double",
                ["platform"] = "linux/amd64",
            },
            ["api"] => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1" }),
            },
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(Groups().Select(g => (JsonNode)Group(g.Group, g.Version))
                    .Concat(custom is null ? [] : CustomResourceDiscovery.Groups(custom.All())).ToArray()),
            },
            ["apis", var group] when Groups().Any(g => g.Group == group) =>
                Group(group, Groups().First(g => g.Group == group).Version).Also(g => g["kind"] = "APIGroup"),
            ["api", "v1"] => Resources("", "v1"),
            ["apis", var group, var version] when Groups().Contains((group, version)) => Resources(group, version),
            _ => null,
        };
    }

    private static List<(string Group, string Version)> Groups() =>
        ResourceCatalog.All.Where(t => t.Group.Length > 0).Select(t => (t.Group, t.Version)).Distinct().ToList();

    private static JsonObject Group(string group, string version)
    {
        var groupVersion = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(groupVersion),
            ["preferredVersion"] = groupVersion.DeepClone(),
        };
    }

    private static JsonObject Resources(string group, string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
        ["resources"] = new JsonArray(ResourceCatalog.All.Where(t => t.Group == group && t.Version == version).Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Plural,
            ["singularName"] = t.Kind.ToLowerInvariant(),
            ["namespaced"] = t.Namespaced,
            ["kind"] = t.Kind,
            ["verbs"] = new JsonArray("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
        }).ToArray()),
    };

    internal static JsonObject Also(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
