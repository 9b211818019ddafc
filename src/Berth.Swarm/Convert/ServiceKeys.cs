using System.Collections.Frozen;
using Berth.Compose.Yaml;

namespace Berth.Swarm.Convert;

/// <summary>Keys of a service and its deploy block that Swarm does not map: each one gets a warning, never silence.</summary>
internal static class ServiceKeys
{
    // Keys of a service this converter maps to the spec.
    private static readonly FrozenSet<string> s_mappedServiceKeys = FrozenSet.Create(StringComparer.Ordinal,
    [
        "image", "command", "entrypoint", "environment", "labels", "hostname", "user", "working_dir", "read_only",
        "tty", "stdin_open", "init", "stop_grace_period", "stop_signal", "cap_add", "cap_drop", "sysctls", "ulimits",
        "dns", "dns_search", "dns_opt", "extra_hosts", "logging", "healthcheck", "ports", "networks", "volumes",
        "secrets", "configs", "deploy", "restart", "tmpfs", "oom_score_adj", "isolation", "scale", "group_add",
    ]);

    // Keys Swarm has no use for; a note says so, since the app may rely on them under Compose.
    private static readonly FrozenDictionary<string, string> s_ignoredServiceKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["depends_on"] = "Swarm starts services in no particular order; make the service retry its dependencies",
        ["expose"] = "on an overlay network every port is reachable by other services",
        ["container_name"] = "Swarm names containers <stack>_<service>.<slot>.<task>",
        ["build"] = "Swarm deploys images only; build and push the image first",
        ["pull_policy"] = "each node pulls the image when a task needs it",
        ["profiles"] = "profiles are applied when loading",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_deployKeys = FrozenSet.Create(StringComparer.Ordinal,
    [
        "mode", "replicas", "labels", "resources", "restart_policy", "placement", "update_config", "rollback_config", "endpoint_mode",
    ]);

    public static void ReportUnmappedKeys(ConversionContext context, MappingNode service, string path)
    {
        foreach (var entry in service.Entries)
        {
            var key = entry.Name;
            if (s_mappedServiceKeys.Contains(key) || key.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            if (s_ignoredServiceKeys.TryGetValue(key, out var why))
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Ignored, $"'{key}' is ignored on Swarm: {why}", entry.Value.Location, $"{path}.{key}");
            }
            else
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'{key}' is not supported by Swarm services and is ignored", entry.Value.Location, $"{path}.{key}");
            }
        }

        if (service.Map("deploy") is { } deploy)
        {
            foreach (var entry in deploy.Entries.Where(e => !s_deployKeys.Contains(e.Name) && !e.Name.StartsWith("x-", StringComparison.Ordinal)))
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'deploy.{entry.Name}' is not supported by Swarm and is ignored", entry.Value.Location, $"{path}.deploy.{entry.Name}");
            }

            if (deploy.Map("resources")?.Map("reservations")?["devices"] is { } devices)
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, "device reservations are not supported by Swarm (use generic_resources)", devices.Location, $"{path}.deploy.resources.reservations.devices");
            }
        }

        if (service.Str("restart") is { } && deploy_has(service, "restart_policy"))
        {
            context.Diagnostics.Warning(SwarmDiagnosticCodes.Ignored, "'restart' is ignored because deploy.restart_policy is set", service["restart"]!.Location, $"{path}.restart");
        }

        static bool deploy_has(MappingNode s, string key) => s.Map("deploy")?.ContainsKey(key) == true;
    }
}
