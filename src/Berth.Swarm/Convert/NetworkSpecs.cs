using System.Collections.Immutable;
using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>A service's network attachments and the networks the stack creates.</summary>
internal static class NetworkSpecs
{
    public static List<NetworkAttachmentConfig>? NetworkAttachments(ConversionContext context, string serviceName, MappingNode service, string path, SortedSet<string> used)
    {
        if (service.Map("networks") is not { Count: > 0 } networks)
        {
            if (service.Str("network_mode") is null)
            {
                // The loader adds networks: {default: null}; this is only a fallback for hand-made projects.
                used.Add("default");
                return [new NetworkAttachmentConfig { Target = context.NetworkName("default"), Aliases = [serviceName] }];
            }

            return null;
        }

        var result = new List<NetworkAttachmentConfig>();
        foreach (var entry in networks.Entries)
        {
            if (!context.Project.Networks.ContainsKey(entry.Name) && entry.Name != "default")
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined network '{entry.Name}'", entry.Value.Location, $"{path}.networks.{entry.Name}");
                continue;
            }

            used.Add(entry.Name);
            var target = context.NetworkName(entry.Name);
            var attachment = entry.Value as MappingNode;
            foreach (var key in new[] { "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority", "gw_priority", "interface_name" })
            {
                if (attachment?[key] is { } unsupported)
                {
                    context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'{key}' is not supported by Swarm and is ignored", unsupported.Location, $"{path}.networks.{entry.Name}.{key}");
                }
            }

            // Built-in networks (host, bridge, none) take no aliases; user-defined ones get the short service name, as docker does.
            var builtIn = context.IsExternal(entry.Name) && target is "host" or "bridge" or "none";
            // docker appends the service name after the user's aliases.
            List<string>? aliases = builtIn ? null : [.. attachment?.Strings("aliases") ?? [], serviceName];
            result.Add(new NetworkAttachmentConfig
            {
                Target = target,
                Aliases = aliases?.Distinct(StringComparer.Ordinal).ToList(),
                DriverOpts = LabelMaps.Sorted(attachment?.StringMap("driver_opts")),
            });
        }

        return [.. result.OrderBy(n => n.Target, StringComparer.Ordinal)];
    }

    public static ImmutableArray<SwarmNetworkPlan> ConvertNetworks(ConversionContext context, SortedSet<string> used)
    {
        var result = ImmutableArray.CreateBuilder<SwarmNetworkPlan>();
        foreach (var key in used)
        {
            var node = context.Project.Networks.Map(key) ?? MappingNode.Empty(context.Project.Root.Location);
            var name = context.NetworkName(key);
            if (context.IsExternal(key))
            {
                result.Add(new SwarmNetworkPlan(key, name, External: true, Create: null));
                continue;
            }

            var ipam = node.Map("ipam");
            result.Add(new SwarmNetworkPlan(key, name, External: false, new NetworksCreateParameters
            {
                Name = name,
                Driver = node.Str("driver") is { Length: > 0 } driver ? driver : SwarmConverter.DefaultNetworkDriver,
                Options = LabelMaps.Sorted(node.StringMap("driver_opts"))!,
                Internal = node.Bool("internal") ?? false,
                Attachable = node.Bool("attachable") ?? false,
                Labels = LabelMaps.Labels(node.StringMap("labels"), context.Stack),
                IPAM = ipam is null ? null : new IPAM
                {
                    Driver = ipam.Str("driver")!,
                    Config = ipam.Seq("config") is { } configs
                        ? [.. configs.Items.OfType<MappingNode>().Select(c => new IPAMConfig { Subnet = c.Str("subnet")! })]
                        : null!,
                },
            }));
        }

        return result.ToImmutable();
    }
}
