using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Placement;
using Berth.Kubernetes.Convert.Storage;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>Builds the pod template of a service: one container named after the service, plus pod-level settings.</summary>
internal static class PodBuilder
{
    public static V1PodTemplateSpec Build(ConversionContext context, ServiceUnit unit, StoragePlan storage, ResourceCatalog catalog)
    {
        var node = unit.Node;
        var service = unit.ComposeName;
        var serviceStorage = storage.For(unit);
        var (resourceVolumes, resourceMounts) = ResourceMounts.Build(context, unit, catalog);
        var mounts = Ordering.Stable(serviceStorage.Mounts.Concat(resourceMounts), static (a, b) => string.CompareOrdinal(a.MountPath, b.MountPath));
        var volumes = Ordering.Stable(serviceStorage.Volumes.Concat(resourceVolumes), static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var container = ContainerBuilder.Build(context, unit, mounts);
        var (affinity, spread) = PlacementBuilder.Build(context, unit);

        var spec = new V1PodSpec
        {
            Containers = [container],
            InitContainers = InitContainers(context, unit),
            Volumes = volumes.Count == 0 ? null : volumes,
            Hostname = Hostname(context, unit),
            HostAliases = HostAliases(context, unit),
            DnsConfig = Dns(context, unit),
            TerminationGracePeriodSeconds = GoDuration.TryParse(node.Str("stop_grace_period"), out var grace) ? GoDuration.CeilSeconds(grace) : null,
            SecurityContext = PodSecurity(context, unit),
            ImagePullSecrets = unit.Settings.PullSecrets.IsEmpty ? null : [.. unit.Settings.PullSecrets.Select(s => new V1LocalObjectReference { Name = s })],
            Affinity = affinity,
            TopologySpreadConstraints = spread,
            ShareProcessNamespace = node.Bool("init") ? true : null,
        };
        Namespaces(context, unit, spec);

        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = ConversionContext.Sorted(unit.Labels), Annotations = Annotations(context, unit) },
            Spec = spec,
        };
    }

    /// <summary>Compose <c>labels</c> and <c>annotations</c> → pod annotations (kompose.* labels are settings, not copied).</summary>
    private static Dictionary<string, string>? Annotations(ConversionContext context, ServiceUnit unit)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in new[] { "labels", "annotations" })
        {
            foreach (var (name, value) in unit.Node.StringMap(key))
            {
                if (name.StartsWith(ServiceSettingsReader.KomposePrefix, StringComparison.Ordinal))
                {
                    var where = unit.Node.Map(key)?.LocationOf(name) ?? unit.Node.Location;
                    if (ServiceSettingsReader.KnownKomposeLabels.Contains(name))
                    {
                        context.Fidelity.Mapped(unit.ComposeName, $"{key}.{name}", "kompose setting, applied", where);
                    }
                    else
                    {
                        context.Fidelity.Unsupported(unit.ComposeName, $"{key}.{name}", "this kompose setting is not supported by Berth", where);
                    }

                    continue;
                }

                if (!DnsNames.IsLabelKey(name))
                {
                    context.Fidelity.Unsupported(unit.ComposeName, $"{key}.{name}", "not a valid annotation key", unit.Node.Map(key)!.LocationOf(name));
                    continue;
                }

                result[name] = value;
            }
        }

        return result.Count == 0 ? null : ConversionContext.Sorted(result);
    }

    /// <summary>
    /// kompose.init.containers.image/name/command → one init container (kompose's labels). The command is a JSON
    /// array as kompose reads it; anything else runs through /bin/sh -c. <c>$</c> is escaped like the main
    /// container's command, so the text reaches the shell unchanged.
    /// </summary>
    private static List<V1Container>? InitContainers(ConversionContext context, ServiceUnit unit)
    {
        var settings = unit.Settings;
        var labels = unit.Node.Map("labels");
        if (settings.InitImage is not { } image)
        {
            if (settings.InitName is not null || settings.InitCommand is not null)
            {
                context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidValue, "kompose.init.containers.name/command need kompose.init.containers.image; no init container", labels?.Location ?? unit.Node.Location, $"services.{unit.ComposeName}.labels");
            }

            return null;
        }

        List<string>? command = null;
        if (settings.InitCommand is { } text)
        {
            command = ParseCommand(text);
            if (command is null)
            {
                command = ["/bin/sh", "-c", text];
                context.Fidelity.Approximated(unit.ComposeName, "labels.kompose.init.containers.command", "not a JSON array of strings; run with /bin/sh -c", labels?.LocationOf("kompose.init.containers.command") ?? unit.Node.Location);
            }
        }

        var name = DnsNames.ToDns1035Label(settings.InitName ?? unit.Name + "-init");
        return [new V1Container { Name = name, Image = image, Command = command?.Select(EnvBuilder.Escape).ToList() }];
    }

    private static List<string>? ParseCommand(string text)
    {
        if (!text.TrimStart().StartsWith('['))
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonDocument.Parse(text).RootElement is { ValueKind: System.Text.Json.JsonValueKind.Array } array
                   && array.EnumerateArray().All(e => e.ValueKind == System.Text.Json.JsonValueKind.String)
                ? [.. array.EnumerateArray().Select(e => e.GetString()!)]
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string? Hostname(ConversionContext context, ServiceUnit unit)
    {
        if (unit.Node.Str("hostname") is not { Length: > 0 } hostname)
        {
            return null;
        }

        if (DnsNames.IsDns1123Label(hostname))
        {
            return hostname;
        }

        var first = DnsNames.ToDns1035Label(hostname.Split('.')[0]);
        context.Fidelity.Approximated(unit.ComposeName, "hostname", $"'{hostname}' is not a DNS label; the pod's hostname is '{first}'", unit.Node.LocationOf("hostname"));
        return first;
    }

    private static List<V1HostAlias>? HostAliases(ConversionContext context, ServiceUnit unit)
    {
        if (unit.Node.Map("extra_hosts") is not { } hosts)
        {
            return null;
        }

        var byIp = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var entry in hosts.Entries)
        {
            var ips = entry.Value is SequenceNode s ? s.Items.OfType<ScalarNode>().Select(i => i.AsString()) : [(entry.Value as ScalarNode)?.AsString() ?? string.Empty];
            foreach (var ip in ips)
            {
                if (ip == "host-gateway" || !System.Net.IPAddress.TryParse(ip, out _))
                {
                    context.Fidelity.Unsupported(unit.ComposeName, $"extra_hosts.{entry.Name}", $"'{ip}' is not an IP address (host-gateway has no Kubernetes equivalent)", entry.Key.Location);
                    continue;
                }

                if (!byIp.TryGetValue(ip, out var names))
                {
                    byIp[ip] = names = new SortedSet<string>(StringComparer.Ordinal);
                }

                names.Add(entry.Name);
            }
        }

        return byIp.Count == 0 ? null : [.. byIp.Select(p => new V1HostAlias { Ip = p.Key, Hostnames = [.. p.Value] })];
    }

    private static V1PodDNSConfig? Dns(ConversionContext context, ServiceUnit unit)
    {
        var node = unit.Node;
        var servers = node.Strings("dns").ToList();
        var searches = node.Strings("dns_search").ToList();
        var options = node.Strings("dns_opt").Select(o =>
        {
            var parts = o.Split(':', 2);
            return new V1PodDNSConfigOption { Name = parts[0], Value = parts.Length > 1 ? parts[1] : null };
        }).ToList();
        if (servers.Count == 0 && searches.Count == 0 && options.Count == 0)
        {
            return null;
        }

        if (servers.Count > 0)
        {
            // Docker's embedded DNS answers service names and forwards the rest to these servers; dropping the
            // cluster DNS (dnsPolicy None) would break service discovery, so they are added after it.
            context.Fidelity.Approximated(unit.ComposeName, "dns", "added to the pod's resolv.conf after the cluster DNS server, which still answers first so service names keep resolving", node.LocationOf("dns"));
        }

        return new V1PodDNSConfig { Nameservers = servers.Count == 0 ? null : servers, Searches = searches.Count == 0 ? null : searches, Options = options.Count == 0 ? null : options };
    }

    private static V1PodSecurityContext? PodSecurity(ConversionContext context, ServiceUnit unit)
    {
        var node = unit.Node;
        var sysctls = node.StringMap("sysctls").Select(p => new V1Sysctl { Name = p.Key, Value = p.Value }).ToList();
        var groups = new List<long?>();
        foreach (var group in node.Strings("group_add"))
        {
            if (long.TryParse(group, out var gid))
            {
                groups.Add(gid);
            }
            else
            {
                context.Fidelity.Unsupported(unit.ComposeName, $"group_add.{group}", $"group '{group}' is not numeric; Kubernetes needs group ids", node.LocationOf("group_add"));
            }
        }

        var fsGroup = unit.Settings.FsGroup;
        if (fsGroup is null && node.Map("labels")?.Str("kompose.security-context.fsgroup") is { } badGroup)
        {
            context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidValue, $"kompose.security-context.fsgroup '{badGroup}' is not a numeric group id; no fsGroup", node.Map("labels")!.LocationOf("kompose.security-context.fsgroup"), $"services.{unit.ComposeName}.labels");
        }

        if (sysctls.Count == 0 && groups.Count == 0 && fsGroup is null)
        {
            return null;
        }

        return new V1PodSecurityContext { Sysctls = sysctls.Count == 0 ? null : sysctls, SupplementalGroups = groups.Count == 0 ? null : groups, FsGroup = fsGroup };
    }

    /// <summary>network_mode, pid, ipc, userns_mode: only the host namespaces have Kubernetes switches.</summary>
    private static void Namespaces(ConversionContext context, ServiceUnit unit, V1PodSpec spec)
    {
        var node = unit.Node;
        var service = unit.ComposeName;
        switch (node.Str("network_mode"))
        {
            case null:
                break;
            case "host":
                spec.HostNetwork = true;
                spec.DnsPolicy = "ClusterFirstWithHostNet";
                context.Fidelity.Mapped(service, "network_mode", "hostNetwork (with ClusterFirstWithHostNet DNS so service names still resolve)", node.LocationOf("network_mode"));
                break;
            case "bridge" or "default":
                context.Fidelity.Mapped(service, "network_mode", "the pod network", node.LocationOf("network_mode"));
                break;
            case var other:
                context.Fidelity.Unsupported(service, "network_mode", $"'{other}': pods cannot share another container's network namespace or have none", node.LocationOf("network_mode"));
                break;
        }

        switch (node.Str("pid"))
        {
            case null:
                break;
            case "host":
                spec.HostPID = true;
                break;
            case var other:
                context.Fidelity.Unsupported(service, "pid", $"'{other}': only the host PID namespace can be shared", node.LocationOf("pid"));
                break;
        }

        switch (node.Str("ipc"))
        {
            case null or "private" or "shareable":
                break;
            case "host":
                spec.HostIPC = true;
                break;
            case var other:
                context.Fidelity.Unsupported(service, "ipc", $"'{other}': only the host IPC namespace can be shared", node.LocationOf("ipc"));
                break;
        }

        switch (node.Str("userns_mode"))
        {
            case null:
                break;
            case "host":
                context.Fidelity.Mapped(service, "userns_mode", "host user namespace (the Kubernetes default)", node.LocationOf("userns_mode"));
                break;
            default:
                spec.HostUsers = false;
                break;
        }
    }
}
