using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>
/// The Services of a Compose service: <c>&lt;name&gt;</c> so other services reach it by name (ClusterIP with
/// its ports and exposed ports, or headless), <c>&lt;name&gt;-published</c> for published ports (LoadBalancer or
/// NodePort), one Service per network alias, and the StatefulSet's governing headless Service when needed.
/// </summary>
internal static class ServiceBuilder
{
    public const int NodePortMin = 30000;
    public const int NodePortMax = 32767;

    public static void Build(ConversionContext context, ServiceUnit unit)
    {
        var service = unit.ComposeName;
        var ports = PortSpec.Read(context, unit);
        // Host-mode ports are also the container's ports on the network: other services reach them by name
        // (Swarm gives such a service a VIP too), so they belong on the ClusterIP Service as well as in hostPort.
        var clusterPorts = Ordering.Stable(ports.DistinctBy(p => (p.Target, p.Protocol)), static (a, b) => a.Target.CompareTo(b.Target) is var byPort && byPort != 0 ? byPort : string.CompareOrdinal(a.Protocol, b.Protocol))
            .ConvertAll(p => new V1ServicePort { Name = p.PortName(p.Target), Port = p.Target, TargetPort = p.Target, Protocol = p.Protocol, AppProtocol = p.AppProtocol });
        var headless = ServiceShape.IsHeadless(unit);
        if (unit.Settings.InternalServiceType?.ToLowerInvariant() == "clusterip" && clusterPorts.Count == 0)
        {
            context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidValue, "internal_service_type ClusterIP needs ports (ports or expose); the Service is headless", unit.Node.LocationOf("x-kubernetes"), $"services.{service}.x-kubernetes.internal_service_type");
        }

        V1ServiceSpec MainSpec() => new()
        {
            ClusterIP = headless ? "None" : null,
            Selector = ConversionContext.Sorted(unit.Selector),
            Ports = clusterPorts.Count == 0 ? null : clusterPorts,
        };

        context.Add(new V1Service { ApiVersion = "v1", Kind = "Service", Metadata = context.Meta(unit.Name, unit.Labels), Spec = MainSpec() });
        if (unit.Node.Map("deploy")?.Str("endpoint_mode") is "dnsrr")
        {
            context.Fidelity.Mapped(service, "deploy.endpoint_mode", "headless Service (DNS returns every pod)", unit.Node.Map("deploy")!.LocationOf("endpoint_mode"));
        }

        if (unit.Kind == WorkloadKind.StatefulSet && !headless)
        {
            var governing = GoverningService.NameFor(unit);
            context.Claim("Service", governing, $"the headless Service of '{service}'", unit.Node.Location, $"services.{service}");
            context.Add(new V1Service
            {
                ApiVersion = "v1",
                Kind = "Service",
                Metadata = context.Meta(governing, unit.Labels),
                Spec = new V1ServiceSpec { ClusterIP = "None", Selector = ConversionContext.Sorted(unit.Selector), Ports = clusterPorts.Count == 0 ? null : clusterPorts, PublishNotReadyAddresses = true },
            });
        }

        Aliases(context, unit, MainSpec);
        Published(context, unit, ports);
        IngressBuilder.Build(context, unit, ports);
    }

    private static void Aliases(ConversionContext context, ServiceUnit unit, Func<V1ServiceSpec> spec)
    {
        var aliases = new SortedDictionary<string, (string Key, Compose.Diagnostics.SourceLocation Location)>(StringComparer.Ordinal);
        if (unit.Node.Map("networks") is { } networks)
        {
            foreach (var network in networks.Entries)
            {
                if (network.Value is MappingNode settings)
                {
                    foreach (var alias in settings.Seq("aliases")?.Items.OfType<ScalarNode>() ?? [])
                    {
                        aliases.TryAdd(alias.AsString(), ($"networks.{network.Name}.aliases", alias.Location));
                    }

                    foreach (var key in new[] { "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority", "gw_priority", "driver_opts", "interface_name" })
                    {
                        if (settings.ContainsKey(key))
                        {
                            context.Fidelity.Unsupported(unit.ComposeName, $"networks.{network.Name}.{key}", "pod addresses and interfaces are assigned by the CNI plugin", settings.LocationOf(key));
                        }
                    }
                }
            }
        }

        // links: "<this service>:<alias>" in another service makes the alias resolve to this one.
        foreach (var (alias, location) in context.LinkAliases[unit.ComposeName])
        {
            aliases.TryAdd(alias, ("links", location));
        }

        foreach (var (alias, (key, location)) in aliases)
        {
            var name = DnsNames.ToDns1035Label(alias);
            if (name == unit.Name)
            {
                continue;
            }

            if (context.Objects.Any(o => o.Kind == "Service" && o.Metadata.Name == name && o.Metadata.Labels.TryGetValue(StackLabels.ServiceName, out var owner) && owner == unit.Selector[StackLabels.ServiceName]))
            {
                continue;
            }

            if (!context.Claim("Service", name, $"alias '{alias}' of service '{unit.ComposeName}'", location, $"services.{unit.ComposeName}.{key}"))
            {
                continue;
            }

            context.Add(new V1Service { ApiVersion = "v1", Kind = "Service", Metadata = context.Meta(name, unit.Labels), Spec = spec() });
            if (name != alias)
            {
                context.Fidelity.Approximated(unit.ComposeName, key, $"alias '{alias}' is resolvable as '{name}' (Service names are DNS labels)", location);
            }
            else
            {
                context.Fidelity.Mapped(unit.ComposeName, key, $"Service '{name}'", location);
            }
        }
    }

    private static void Published(ConversionContext context, ServiceUnit unit, List<PortSpec> ports)
    {
        var service = unit.ComposeName;
        var published = ports.Where(p => p.IsPublished && !p.IsHostMode).ToList();
        var type = unit.Settings.ServiceType switch
        {
            "nodeport" => "NodePort",
            "loadbalancer" => "LoadBalancer",
            _ => context.Options.PublishedServiceType == PublishedServiceType.NodePort ? "NodePort" : "LoadBalancer",
        };
        if (published.Count == 0 || unit.Settings.ServiceType is "clusterip" or "headless")
        {
            foreach (var port in published)
            {
                context.Fidelity.Approximated(service, port.Key, $"kompose.service.type {unit.Settings.ServiceType}: reachable inside the cluster only", port.Location);
            }

            return;
        }

        var distinct = published.DistinctBy(p => (p.Published, p.Target, p.Protocol)).ToList();
        var labelNodePort = unit.Settings.NodePort;
        if (labelNodePort is not null && distinct.Count != 1)
        {
            // kompose applies kompose.service.nodeport.port only to a service with a single port; two ports cannot share a node port.
            context.Fidelity.Unsupported(service, "labels.kompose.service.nodeport.port", "applies only to a service with exactly one published port", unit.Node.Map("labels")?.LocationOf("kompose.service.nodeport.port") ?? unit.Node.Location);
            labelNodePort = null;
        }

        var servicePorts = new List<V1ServicePort>();
        foreach (var port in distinct)
        {
            var external = port.Published ?? port.Target;
            var servicePort = new V1ServicePort { Protocol = port.Protocol, TargetPort = port.Target, AppProtocol = port.AppProtocol };
            if (type == "LoadBalancer")
            {
                servicePort.Port = external;
                servicePort.Name = port.PortName(external);
                context.Fidelity.Mapped(service, port.Key, $"LoadBalancer port {external} → {port.Target}/{port.Protocol}", port.Location);
            }
            else
            {
                servicePort.Port = port.Target;
                servicePort.Name = port.PortName(port.Target);
                var nodePort = labelNodePort ?? port.Published;
                if (nodePort is >= NodePortMin and <= NodePortMax)
                {
                    servicePort.NodePort = nodePort;
                    context.Fidelity.Mapped(service, port.Key, $"NodePort {nodePort} → {port.Target}/{port.Protocol}", port.Location);
                }
                else if (nodePort is not null)
                {
                    context.Fidelity.Approximated(service, port.Key, $"{nodePort} is outside the node port range {NodePortMin}-{NodePortMax}; Kubernetes picks the node port (use the LoadBalancer type to keep the port)", port.Location);
                }
                else
                {
                    context.Fidelity.Mapped(service, port.Key, $"NodePort (chosen by Kubernetes) → {port.Target}/{port.Protocol}", port.Location);
                }
            }

            if (servicePorts.Any(p => p.Port == servicePort.Port && p.Protocol == servicePort.Protocol))
            {
                context.Diagnostics.Error(KubernetesDiagnosticCodes.NameCollision, $"port {servicePort.Port}/{servicePort.Protocol} is published twice", port.Location, $"services.{service}.{port.Key}");
                continue;
            }

            servicePorts.Add(servicePort);
        }

        var name = DnsNames.ToDns1035Label(unit.Name + "-published");
        context.Claim("Service", name, $"the published ports of '{service}'", unit.Node.LocationOf("ports"), $"services.{service}.ports");
        context.Add(new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = context.Meta(name, unit.Labels),
            Spec = new V1ServiceSpec { Type = type, Selector = ConversionContext.Sorted(unit.Selector), Ports = Ordering.Stable(servicePorts, static (a, b) => a.Port.CompareTo(b.Port) is var byPort && byPort != 0 ? byPort : string.CompareOrdinal(a.Protocol, b.Protocol)) },
        });
    }
}
