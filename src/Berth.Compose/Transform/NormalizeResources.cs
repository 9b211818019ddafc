using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>Top-level networks, volumes, secrets and configs: the implicit default network and the engine-side names.</summary>
internal static class NormalizeResources
{
    private static readonly string[] Sections = ["networks", "volumes", "secrets", "configs"];

    /// <summary>Adds <c>networks.default: {}</c> when a service uses the default network and the file does not declare it.</summary>
    public static MappingNode AddDefaultNetwork(MappingNode document)
    {
        var usesDefault = document["services"] is MappingNode services
            && services.Entries.Any(s => s.Value is MappingNode svc && svc["networks"] is MappingNode nets && nets.ContainsKey("default"));
        if (!usesDefault)
        {
            return document;
        }

        var networks = document["networks"] as MappingNode ?? MappingNode.Empty(document.Location);
        if (networks.ContainsKey("default"))
        {
            return document;
        }

        return document.With("networks", networks.With(ScalarNode.String("default", networks.Location), MappingNode.Empty(networks.Location)));
    }

    /// <summary>
    /// Gives every resource its real name: <c>name</c> when set, the key for an external resource (it already
    /// exists under that name), otherwise <c>&lt;project&gt;_&lt;key&gt;</c> as docker compose creates it.
    /// </summary>
    public static MappingNode AssignNames(MappingNode document, string projectName)
    {
        var result = document;
        foreach (var section in Sections)
        {
            result = NormalizeNodes.UpdateMapping(result, section, resources => NormalizeNodes.MapValues(resources, (key, value) =>
            {
                var resource = value switch
                {
                    MappingNode m => m,
                    ScalarNode { IsNull: true } => MappingNode.Empty(value.Location),
                    _ => null,
                };
                if (resource is null || resource["name"] is ScalarNode { IsNull: false })
                {
                    return resource ?? value;
                }

                var name = NormalizeNodes.IsTrue(resource["external"]) ? key : $"{projectName}_{key}";
                return resource.With("name", ScalarNode.String(name, resource.Location));
            }));
        }

        return result;
    }
}
