using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// Discovery of the custom resources (apiextensions-apiserver customresource_discovery_controller.go): each CRD group
/// with its served versions in Kubernetes' version order (the first preferred), and per group version the resources,
/// their <c>/status</c> and <c>/scale</c> subresources, short names and categories, so kubectl finds them.
/// </summary>
internal static class CustomResourceDiscovery
{
    private static readonly string[] Verbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

    public static IEnumerable<JsonNode> Groups(IReadOnlyList<CustomResourceVersion> served) =>
        served.GroupBy(s => s.Type.Group, StringComparer.Ordinal).Select(g => (JsonNode)Group(g.Key, g.ToList()));

    public static JsonObject? Answer(string[] segments, IReadOnlyList<CustomResourceVersion> served) => segments switch
    {
        ["apis", var group] when served.Any(s => s.Type.Group == group) => Group(group, served.Where(s => s.Type.Group == group).ToList()).Also(g => g["kind"] = "APIGroup"),
        ["apis", var group, var version] when served.Any(s => s.Type.Group == group && s.Type.Version == version) =>
            Resources(group, version, served.Where(s => s.Type.Group == group && s.Type.Version == version).ToList()),
        _ => null,
    };

    private static JsonObject Group(string group, List<CustomResourceVersion> served)
    {
        var versions = served.Select(s => s.Type.Version).Distinct().Order(Comparer<string>.Create(CustomResources.CompareVersions)).ToList();
        JsonObject Entry(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Entry(v)).ToArray()),
            ["preferredVersion"] = Entry(versions[0]),
        };
    }

    private static JsonObject Resources(string group, string version, List<CustomResourceVersion> served)
    {
        var resources = new JsonArray();
        foreach (var resource in served)
        {
            var type = resource.Type;
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = resource.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray(Verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (resource.ShortNames.Count > 0)
            {
                entry["shortNames"] = resource.ShortNames;
            }

            if (resource.Categories.Count > 0)
            {
                entry["categories"] = resource.Categories;
            }

            resources.Add(entry);
            if (resource.StatusSubresource)
            {
                resources.Add(new JsonObject { ["name"] = type.Plural + "/status", ["singularName"] = "", ["namespaced"] = type.Namespaced, ["kind"] = type.Kind, ["verbs"] = new JsonArray("get", "patch", "update") });
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = $"{group}/{version}", ["resources"] = resources };
    }
}
