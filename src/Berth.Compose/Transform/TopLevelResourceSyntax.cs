using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Top-level <c>networks</c>, <c>volumes</c>, <c>secrets</c>, <c>configs</c>: an empty entry becomes <c>{}</c>, the legacy
/// <c>external: {name: x}</c> becomes <c>external: true</c> plus <c>name: x</c>, labels and driver options become string maps.
/// </summary>
internal static class TopLevelResourceSyntax
{
    public static ComposeNode Canonicalize(ComposeNode node, string section, SyntaxContext context)
    {
        if (node is not MappingNode resources)
        {
            return node;
        }

        return SyntaxNodes.MapValues(resources, e =>
        {
            var path = $"{section}.{e.Name}";
            return e.Value switch
            {
                ScalarNode { Kind: ScalarKind.Null } empty => new MappingNode([], empty.Location, empty.Tag),
                MappingNode resource => Resource(resource, path, context),
                _ => e.Value,
            };
        });
    }

    private static MappingNode Resource(MappingNode resource, string path, SyntaxContext context)
    {
        var result = External(resource, path, context);
        result = SyntaxNodes.Update(result, "labels", v => KeyValueSyntax.Strings(v, $"{path}.labels", context));
        return SyntaxNodes.Update(result, "driver_opts", v => KeyValueSyntax.Strings(v, $"{path}.driver_opts", context));
    }

    private static MappingNode External(MappingNode resource, string path, SyntaxContext context)
    {
        if (!resource.TryGetEntry("external", out var external) || external.Value is not MappingNode legacy)
        {
            return resource;
        }

        var result = resource.With(external.Key, ScalarNode.Bool(true, legacy.Location));
        if (legacy["name"] is not ScalarNode { Kind: not ScalarKind.Null } externalName)
        {
            return result;
        }

        context.Warning(
            DiagnosticCodes.DeprecatedKey,
            "'external.name' is deprecated",
            externalName,
            $"{path}.external.name",
            "write 'external: true' and set 'name' on the resource instead");

        if (resource["name"] is ScalarNode { Kind: not ScalarKind.Null } name)
        {
            if (!string.Equals(name.AsString(), externalName.AsString(), StringComparison.Ordinal))
            {
                context.Error(
                    DiagnosticCodes.Conflict,
                    $"'name: {name.AsString()}' and 'external.name: {externalName.AsString()}' disagree",
                    externalName,
                    $"{path}.external.name",
                    "keep only 'name' (with 'external: true')");
                return resource;
            }

            return result;
        }

        return result.With("name", ScalarNode.String(externalName.AsString(), externalName.Location));
    }
}
