using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Fidelity;

/// <summary>Fidelity of top-level keys and of each network, volume, secret and config that handlers did not report.</summary>
internal static class TopLevelFidelity
{
    public static void Report(ConversionContext context)
    {
        var root = context.Project.Root;
        foreach (var entry in root.Entries)
        {
            var key = entry.Name;
            switch (key)
            {
                case "name":
                    context.Fidelity.Mapped(string.Empty, key, $"stack '{context.Stack}' (label {Berth.Stacks.StackLabels.StackNamespace})", entry.Key.Location);
                    break;
                case "services":
                    context.Fidelity.Mapped(string.Empty, key, "one workload and its Services per service", entry.Key.Location);
                    break;
                case "networks":
                    Networks(context, entry);
                    break;
                case "volumes":
                    Volumes(context, entry);
                    break;
                case "secrets" or "configs":
                    Resources(context, entry);
                    break;
                case "models":
                    context.Fidelity.Unsupported(string.Empty, key, "AI models need Docker Model Runner", entry.Key.Location);
                    break;
                default:
                    context.Fidelity.Ignored(string.Empty, key, key.StartsWith("x-", StringComparison.Ordinal) ? "extension field" : "no meaning for Kubernetes", entry.Key.Location);
                    break;
            }
        }
    }

    private static void Networks(ConversionContext context, MappingEntry section)
    {
        context.Fidelity.Mapped(string.Empty, "networks", context.Options.NetworkPolicies ? "NetworkPolicies per network" : "one flat pod network (enable network policies to isolate networks)", section.Key.Location);
        foreach (var entry in (section.Value as MappingNode)?.Entries ?? [])
        {
            var network = entry.Value as MappingNode;
            var path = $"networks.{entry.Name}";
            if (network is null)
            {
                continue;
            }

            foreach (var key in new[] { "driver", "driver_opts", "ipam", "internal", "attachable", "enable_ipv4", "enable_ipv6", "external" })
            {
                if (network.ContainsKey(key))
                {
                    context.Fidelity.Ignored(string.Empty, $"{path}.{key}", "the pod network is provided by the cluster's CNI plugin", network.LocationOf(key));
                }
            }

            context.Fidelity.Mapped(string.Empty, path, context.Options.NetworkPolicies ? $"NetworkPolicy network-{entry.Name}" : "the cluster's pod network", entry.Key.Location);
        }
    }

    private static void Volumes(ConversionContext context, MappingEntry section)
    {
        context.Fidelity.Mapped(string.Empty, "volumes", "PersistentVolumeClaims or claim templates", section.Key.Location);
        foreach (var entry in (section.Value as MappingNode)?.Entries ?? [])
        {
            var path = $"volumes.{entry.Name}";
            if (entry.Value is MappingNode volume)
            {
                if (volume.Str("driver") is { } driver && driver != "local")
                {
                    context.Fidelity.Unsupported(string.Empty, $"{path}.driver", $"volume driver '{driver}': the storage class provisions volumes on Kubernetes (x-kubernetes.storage_class)", volume.LocationOf("driver"));
                }

                foreach (var (opt, _) in volume.StringMap("driver_opts"))
                {
                    if (opt is not ("size" or "storage_class" or "access_mode"))
                    {
                        context.Fidelity.Unsupported(string.Empty, $"{path}.driver_opts.{opt}", "Docker driver options do not apply to a PersistentVolumeClaim", volume.Map("driver_opts")!.LocationOf(opt));
                    }
                }
            }

            context.Fidelity.Mapped(string.Empty, path, "volume storage (see each service's volumes)", entry.Key.Location);
        }
    }

    private static void Resources(ConversionContext context, MappingEntry section)
    {
        context.Fidelity.Mapped(string.Empty, section.Name, section.Name == "secrets" ? "Secrets" : "ConfigMaps", section.Key.Location);
        foreach (var entry in (section.Value as MappingNode)?.Entries ?? [])
        {
            if (entry.Value is not MappingNode resource)
            {
                continue;
            }

            foreach (var key in new[] { "driver", "driver_opts", "template_driver" })
            {
                if (resource.ContainsKey(key))
                {
                    context.Fidelity.Unsupported(string.Empty, $"{section.Name}.{entry.Name}.{key}", "secret drivers are a Swarm feature; the content is stored in the object", resource.LocationOf(key));
                }
            }
        }
    }
}
