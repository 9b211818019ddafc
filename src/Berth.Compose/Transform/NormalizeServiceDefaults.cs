using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Defaults compose-go makes explicit on every service: the default network, build context and Dockerfile,
/// the modern pull_policy spelling, and the dependencies implied by links, volumes_from and service: namespaces.
/// </summary>
internal static class NormalizeServiceDefaults
{
    private static readonly string[] NamespaceKeys = ["network_mode", "ipc", "pid"];

    public static MappingNode Apply(MappingNode service, NormalizeContext context, IReadOnlySet<string> serviceNames)
    {
        var result = service;
        // An empty networks mapping (or a null network_mode) means "nothing chosen", as in compose-go.
        var hasNetworks = result["networks"] is MappingNode { Count: > 0 } or SequenceNode { Count: > 0 };
        var hasNetworkMode = result["network_mode"] is ScalarNode { IsNull: false } mode && mode.AsString().Length > 0;
        if (!hasNetworks && !hasNetworkMode)
        {
            var location = result["networks"]?.Location ?? service.Location;
            result = result.With("networks", new MappingNode([new MappingEntry(ScalarNode.String("default", location), ScalarNode.Null(location))], location));
        }

        result = NormalizeNodes.UpdateMapping(result, "build", build => Build(build, context));
        result = NormalizeNodes.Update(result, "pull_policy", p => p is ScalarNode { Value: "if_not_present" } s ? ScalarNode.String("missing", s.Location) : p);
        return ImplicitDependencies(result, serviceNames);
    }

    private static MappingNode Build(MappingNode build, NormalizeContext context)
    {
        var result = build;
        if (!result.ContainsKey("context"))
        {
            result = result.With("context", ScalarNode.String(context.ProjectDirectory, build.Location));
        }

        if (!result.ContainsKey("dockerfile") && !result.ContainsKey("dockerfile_inline"))
        {
            result = result.With("dockerfile", ScalarNode.String("Dockerfile", build.Location));
        }

        return result;
    }

    // Dependencies are only implied on services that exist: an unknown one is reported once, by the semantic checks,
    // at the key that names it.
    private static MappingNode ImplicitDependencies(MappingNode service, IReadOnlySet<string> serviceNames)
    {
        var implied = new List<(string Name, SourceLocation At)>();
        foreach (var key in NamespaceKeys)
        {
            if (service[key] is ScalarNode { Kind: ScalarKind.String } ns && ns.Value.StartsWith("service:", StringComparison.Ordinal))
            {
                implied.Add((ns.Value["service:".Length..], ns.Location));
            }
        }

        if (service["links"] is SequenceNode links)
        {
            foreach (var link in links.Items.OfType<ScalarNode>())
            {
                implied.Add((link.AsString().Split(':')[0], link.Location));
            }
        }

        if (service["volumes_from"] is SequenceNode volumesFrom)
        {
            foreach (var from in volumesFrom.Items.OfType<ScalarNode>().Where(v => !v.AsString().StartsWith("container:", StringComparison.Ordinal)))
            {
                implied.Add((from.AsString().Split(':')[0], from.Location));
            }
        }

        var existing = service["depends_on"] as MappingNode;
        var dependsOn = existing ?? MappingNode.Empty(service.Location);
        foreach (var (name, at) in implied)
        {
            if (!serviceNames.Contains(name) || dependsOn.ContainsKey(name))
            {
                continue;
            }

            ImmutableArray<MappingEntry> entries =
            [
                new(ScalarNode.String("condition", at), ScalarNode.String("service_started", at)),
                new(ScalarNode.String("restart", at), ScalarNode.Bool(true, at)),
                new(ScalarNode.String("required", at), ScalarNode.Bool(true, at)),
            ];
            dependsOn = dependsOn.With(ScalarNode.String(name, at), new MappingNode(entries, at));
        }

        return dependsOn.Count == 0 || ReferenceEquals(dependsOn, existing) ? service : service.With("depends_on", dependsOn);
    }
}
