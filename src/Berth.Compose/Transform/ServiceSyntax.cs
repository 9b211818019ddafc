using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>Dispatches each key of a service to its rewriter. Keys without a short syntax (and unknown keys) pass through untouched.</summary>
internal static class ServiceSyntax
{
    public static ComposeNode CanonicalizeAll(ComposeNode node, SyntaxContext context)
        => node is MappingNode services
            ? SyntaxNodes.MapValues(services, e => e.Value is MappingNode service ? Canonicalize(service, $"services.{e.Name}", context) : e.Value)
            : node;

    private static MappingNode Canonicalize(MappingNode service, string path, SyntaxContext context)
        => SyntaxNodes.MapValues(service, e => Rewrite(e.Name, e.Value, path, context));

    private static ComposeNode Rewrite(string key, ComposeNode value, string servicePath, SyntaxContext context)
    {
        // Built only for keys that report problems: most keys of a service (image, restart …) need no path.
        var path = NeedsPath(key) ? $"{servicePath}.{key}" : servicePath;
        return key switch
        {
            "ports" => PortSyntax.Canonicalize(value, path, context),
            "expose" => SyntaxNodes.StringItems(value),
            "volumes" => VolumeSyntax.Canonicalize(value, path, context),
            "environment" => KeyValueSyntax.Variables(value, path, context),
            "labels" or "annotations" or "sysctls" => KeyValueSyntax.Strings(value, path, context),
            "extra_hosts" => ExtraHostsSyntax.Canonicalize(value, path, context),
            "depends_on" => DependsOnSyntax.Canonicalize(value),
            "networks" => ResourceReferenceSyntax.Networks(value, path, context),
            "secrets" or "configs" => ResourceReferenceSyntax.FileMounts(value),
            "build" => BuildSyntax.Canonicalize(value, path, context),
            "env_file" => EnvFileSyntax.Canonicalize(value),
            "ulimits" => UlimitSyntax.Canonicalize(value),
            "command" or "entrypoint" => CommandSyntax.ShellCommand(value, path, context),
            "healthcheck" => value is MappingNode healthcheck ? SyntaxNodes.Update(healthcheck, "test", CommandSyntax.HealthcheckTest) : value,
            "devices" => DeviceSyntax.Canonicalize(value, path, context),
            "deploy" => value is MappingNode deploy ? SyntaxNodes.Update(deploy, "labels", v => KeyValueSyntax.Strings(v, $"{path}.labels", context)) : value,
            "post_start" or "pre_stop" or "pre_start" => Hooks(value, path, context),
            "dns" or "dns_search" or "tmpfs" or "cap_add" or "cap_drop" or "security_opt" or "profiles" or "external_links" or "links" or "label_file"
                => SyntaxNodes.StringOrList(value),
            _ => value,
        };
    }

    private static bool NeedsPath(string key) => key is "ports" or "volumes" or "environment" or "labels" or "annotations" or "sysctls" or "extra_hosts"
        or "networks" or "build" or "command" or "entrypoint" or "devices" or "deploy" or "post_start" or "pre_stop" or "pre_start";

    private static ComposeNode Hooks(ComposeNode node, string path, SyntaxContext context)
        => node is SequenceNode hooks
            ? SyntaxNodes.MapItems(hooks, (item, i) => item is MappingNode hook
                ? SyntaxNodes.MapValues(hook, e => e.Name switch
                {
                    "command" => CommandSyntax.ShellCommand(e.Value, $"{path}[{i}].command", context),
                    "environment" => KeyValueSyntax.Variables(e.Value, $"{path}[{i}].environment", context),
                    _ => e.Value,
                })
                : item)
            : node;
}
