using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>
/// With <see cref="KubernetesConvertOptions.NetworkPolicies"/>: pods are labelled with the Compose networks they
/// join, and one NetworkPolicy per network admits traffic from pods of the same network (policies add up, so a
/// pod on two networks hears both). A second policy per service admits anyone on its published ports, as
/// Swarm's ingress does. Without the option every pod can reach every other, which is the Kubernetes default.
/// </summary>
internal static class NetworkPolicies
{
    public static void Build(ConversionContext context, IReadOnlyList<ServiceUnit> units)
    {
        if (!context.Options.NetworkPolicies)
        {
            return;
        }

        var members = new SortedDictionary<string, List<ServiceUnit>>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            foreach (var network in unit.Node.Map("networks")?.Keys ?? [])
            {
                if (!members.TryGetValue(network, out var list))
                {
                    members[network] = list = [];
                }

                list.Add(unit);
            }
        }

        foreach (var (network, list) in members)
        {
            var label = NetworkLabel(network);
            foreach (var unit in list)
            {
                foreach (var obj in context.Objects.Where(o => o.Metadata.Name == unit.Name))
                {
                    PodTemplate(obj)?.Metadata.Labels.TryAdd(label, "true");
                }
            }

            var name = DnsNames.ToDns1123Subdomain($"network-{network}");
            context.Claim("NetworkPolicy", name, $"network '{network}'", context.Project.Networks[network]?.Location ?? context.Project.Root.Location, $"networks.{network}");
            var selector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted([KeyValuePair.Create(StackLabels.StackNamespace, context.Stack), KeyValuePair.Create(label, "true")]) };
            context.Add(new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = context.Meta(name),
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = selector,
                    PolicyTypes = ["Ingress"],
                    Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = selector }] }],
                },
            });
        }

        foreach (var unit in units)
        {
            var published = unit.Node.Seq("ports")?.Items.OfType<MappingNode>().Where(p => p.Int("target") is not null).ToList() ?? [];
            if (published.Count == 0)
            {
                continue;
            }

            var name = DnsNames.ToDns1123Subdomain($"{unit.Name}-published");
            context.Claim("NetworkPolicy", name, $"the published ports of '{unit.ComposeName}'", unit.Node.LocationOf("ports"), $"services.{unit.ComposeName}.ports");
            context.Add(new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = context.Meta(name, unit.Labels),
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted(unit.Selector) },
                    PolicyTypes = ["Ingress"],
                    Ingress = [new V1NetworkPolicyIngressRule
                    {
                        Ports = [.. published
                            .Select(p => (Port: (int)p.Int("target")!.Value, Protocol: (p.Str("protocol") ?? "tcp").ToUpperInvariant()))
                            .Distinct()
                            .OrderBy(p => p.Port)
                            .Select(p => new V1NetworkPolicyPort { Port = p.Port, Protocol = p.Protocol })],
                    }],
                },
            });
        }
    }

    public static string NetworkLabel(string network) => StackLabels.NetworkPrefix + DnsNames.ToLabelValue(network);

    private static V1PodTemplateSpec? PodTemplate(k8s.IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Deployment d => d.Spec.Template,
        V1StatefulSet s => s.Spec.Template,
        V1DaemonSet ds => ds.Spec.Template,
        V1Job j => j.Spec.Template,
        _ => null,
    };
}
