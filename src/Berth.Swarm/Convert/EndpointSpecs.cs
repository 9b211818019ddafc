using System.Globalization;
using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>Published ports and the endpoint mode.</summary>
internal static class EndpointSpecs
{
    public static EndpointSpec Endpoint(ConversionContext context, MappingNode service, MappingNode deploy, string path)
    {
        var ports = new List<PortConfig>();
        if (service.Seq("ports") is { } seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                if (seq[i] is not MappingNode port)
                {
                    continue;
                }

                var portPath = $"{path}.ports[{i}]";
                if (port.Str("host_ip") is { Length: > 0 } ip)
                {
                    context.Diagnostics.Warning(SwarmDiagnosticCodes.Approximated, $"host IP {ip} is ignored: Swarm publishes on every address", port.Location, portPath + ".host_ip");
                }

                uint? published = null;
                if (port.Str("published") is { Length: > 0 } pub)
                {
                    if (uint.TryParse(pub, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                    {
                        published = p;
                    }
                    else
                    {
                        context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, $"published port range '{pub}' for one target port is not supported by Swarm", port.Location, portPath + ".published", "publish one port per target");
                    }
                }

                ports.Add(new PortConfig
                {
                    Protocol = port.Str("protocol") ?? "tcp",
                    TargetPort = port.Int("target") is { } t ? (uint)t : null,
                    PublishedPort = published,
                    PublishMode = port.Str("mode") ?? "ingress",
                });
            }
        }

        // docker always sends an endpoint spec; the engine's default resolution mode is vip.
        return new EndpointSpec
        {
            Mode = deploy.Str("endpoint_mode") ?? "vip",
            Ports = ports.Count == 0 ? null : [.. ports.OrderBy(p => p.PublishedPort ?? 0).ThenBy(p => p.TargetPort ?? 0).ThenBy(p => p.Protocol, StringComparer.Ordinal)],
        };
    }
}
