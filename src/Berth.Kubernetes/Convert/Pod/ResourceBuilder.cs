using System.Globalization;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>
/// Limits and reservations (<c>deploy.resources</c>, else <c>cpus</c>/<c>mem_limit</c>/<c>mem_reservation</c>) →
/// limits and requests. NVIDIA GPUs (<c>devices</c> with capability gpu, or <c>gpus</c>) → <c>nvidia.com/gpu</c>,
/// the NVIDIA device plugin's extended resource, which Kubernetes requires as a limit.
/// </summary>
internal static class ResourceBuilder
{
    public const string GpuResource = "nvidia.com/gpu";

    public static V1ResourceRequirements? Build(ConversionContext context, ServiceUnit unit)
    {
        var limits = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        var requests = new SortedDictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        var service = unit.ComposeName;
        var node = unit.Node;

        if (Quantities.Cpu(node.Number("cpus")) is { } cpus)
        {
            limits["cpu"] = new ResourceQuantity(cpus);
        }

        if (node.Int("mem_limit") is { } memLimit)
        {
            limits["memory"] = Quantities.Bytes(memLimit);
        }

        if (node.Int("mem_reservation") is { } memReservation)
        {
            requests["memory"] = Quantities.Bytes(memReservation);
        }

        var resources = node.Map("deploy")?.Map("resources");
        if (resources?.Map("limits") is { } l)
        {
            Apply(l, limits);
            if (l.ContainsKey("pids"))
            {
                context.Fidelity.Unsupported(service, "deploy.resources.limits.pids", "the PID limit is a node-wide kubelet setting (podPidsLimit)", l.LocationOf("pids"));
            }
        }

        if (resources?.Map("reservations") is { } r)
        {
            Apply(r, requests);
            if (r.Seq("devices") is { } devices)
            {
                Devices(context, service, devices, limits);
            }

            if (r.ContainsKey("generic_resources"))
            {
                context.Fidelity.Unsupported(service, "deploy.resources.reservations.generic_resources", "Swarm generic resources have no Kubernetes name; request the device plugin's extended resource by hand", r.LocationOf("generic_resources"));
            }
        }

        if (node.Seq("gpus") is { } gpus)
        {
            Devices(context, service, gpus, limits, "gpus");
        }
        else if (node["gpus"] is ScalarNode { Value: "all" } all)
        {
            context.Fidelity.Unsupported(service, "gpus", "'all' GPUs cannot be requested on Kubernetes; give a count", all.Location);
        }

        if (limits.Count == 0 && requests.Count == 0)
        {
            return null;
        }

        return new V1ResourceRequirements
        {
            Limits = limits.Count == 0 ? null : new Dictionary<string, ResourceQuantity>(limits),
            Requests = requests.Count == 0 ? null : new Dictionary<string, ResourceQuantity>(requests),
        };
    }

    private static void Apply(MappingNode node, SortedDictionary<string, ResourceQuantity> target)
    {
        if (Quantities.Cpu(node.Number("cpus")) is { } cpu)
        {
            target["cpu"] = new ResourceQuantity(cpu);
        }

        if (node.Int("memory") is { } memory)
        {
            target["memory"] = Quantities.Bytes(memory);
        }
    }

    private static void Devices(ConversionContext context, string service, SequenceNode devices, SortedDictionary<string, ResourceQuantity> limits, string key = "deploy.resources.reservations.devices")
    {
        long gpus = 0;
        for (var i = 0; i < devices.Count; i++)
        {
            if (devices[i] is not MappingNode device)
            {
                continue;
            }

            var itemKey = $"{key}[{i}]";
            var capabilities = device.Strings("capabilities").ToList();
            var driver = device.Str("driver");
            if (!capabilities.Contains("gpu") || (driver is not null && driver != "nvidia"))
            {
                context.Fidelity.Unsupported(service, itemKey, $"only NVIDIA GPUs have a standard Kubernetes resource (nvidia.com/gpu); capabilities [{string.Join(", ", capabilities)}] need their device plugin's resource", device.Location);
                continue;
            }

            if (device.ContainsKey("device_ids"))
            {
                context.Fidelity.Approximated(service, itemKey, "specific device_ids cannot be chosen; their number is requested as nvidia.com/gpu", device.LocationOf("device_ids"));
                gpus += device.Strings("device_ids").Count();
                continue;
            }

            if (device["count"] is ScalarNode { Value: "all" })
            {
                context.Fidelity.Unsupported(service, itemKey, "count 'all' cannot be requested on Kubernetes; give a number", device.LocationOf("count"));
                continue;
            }

            var count = device.Int("count") ?? 1;
            gpus += count;
            context.Fidelity.Mapped(service, itemKey, $"{count} × nvidia.com/gpu", device.Location);
        }

        if (gpus > 0)
        {
            limits[GpuResource] = new ResourceQuantity(gpus.ToString(CultureInfo.InvariantCulture));
        }
    }
}
