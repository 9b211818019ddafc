using System.Text.RegularExpressions;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Placement;

/// <summary>
/// deploy.placement and platform → node affinity and topology spread. Constraints keep their full value
/// (compose-on-kubernetes' regex cut <c>node-1</c> to <c>node</c>), and no os/arch requirement is added
/// unless the file asks for one.
/// </summary>
internal static partial class PlacementBuilder
{
    public static (V1Affinity? Affinity, List<V1TopologySpreadConstraint>? Spread) Build(ConversionContext context, ServiceUnit unit)
    {
        var service = unit.ComposeName;
        var placement = unit.Node.Map("deploy")?.Map("placement");
        var requirements = new List<V1NodeSelectorRequirement>();

        if (placement?.Seq("constraints") is { } constraints)
        {
            for (var i = 0; i < constraints.Count; i++)
            {
                if (constraints[i] is ScalarNode c)
                {
                    Constraint(context, service, $"deploy.placement.constraints[{i}]", c, requirements);
                }
            }
        }

        if (unit.Node.Str("platform") is { Length: > 0 } platform)
        {
            var parts = platform.Split('/');
            requirements.Add(new V1NodeSelectorRequirement { Key = "kubernetes.io/os", OperatorProperty = "In", Values = [parts[0]] });
            if (parts.Length > 1)
            {
                requirements.Add(new V1NodeSelectorRequirement { Key = "kubernetes.io/arch", OperatorProperty = "In", Values = [Arch(parts[1])] });
            }

            if (parts.Length > 2)
            {
                context.Fidelity.Approximated(service, "platform", $"variant '{parts[2]}' cannot be selected; os and arch are required by node affinity", unit.Node.LocationOf("platform"));
            }
            else
            {
                context.Fidelity.Mapped(service, "platform", "node affinity on kubernetes.io/os and kubernetes.io/arch", unit.Node.LocationOf("platform"));
            }
        }

        var spread = new List<V1TopologySpreadConstraint>();
        var antiAffinity = (V1PodAntiAffinity?)null;
        if (placement?.Seq("preferences") is { } preferences)
        {
            var skew = preferences.Count;
            for (var i = 0; i < preferences.Count; i++)
            {
                if (preferences[i] is MappingNode pref && pref.Str("spread") is { } spreadKey)
                {
                    var key = Label(spreadKey);
                    if (key is null)
                    {
                        context.Fidelity.Unsupported(service, $"deploy.placement.preferences[{i}]", $"spread over '{spreadKey}' has no node label equivalent", pref.Location);
                        continue;
                    }

                    // Swarm spreads over the first preference, then within it over the next: a smaller skew
                    // for earlier preferences keeps that precedence as a soft constraint.
                    spread.Add(new V1TopologySpreadConstraint
                    {
                        MaxSkew = skew--,
                        TopologyKey = key,
                        WhenUnsatisfiable = "ScheduleAnyway",
                        LabelSelector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted(unit.Selector) },
                    });
                    context.Fidelity.Approximated(service, $"deploy.placement.preferences[{i}]", $"topology spread over node label '{key}' (ScheduleAnyway): Kubernetes balances replicas but, like Swarm, still schedules when it cannot", pref.Location);
                }
            }
        }

        if (placement?.Int("max_replicas_per_node") is { } max && max > 0)
        {
            var location = placement.LocationOf("max_replicas_per_node");
            if (max == 1)
            {
                antiAffinity = new V1PodAntiAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution =
                    [
                        new V1PodAffinityTerm { TopologyKey = "kubernetes.io/hostname", LabelSelector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted(unit.Selector) } },
                    ],
                };
                context.Fidelity.Mapped(service, "deploy.placement.max_replicas_per_node", "required pod anti-affinity on kubernetes.io/hostname: at most one replica per node", location);
            }
            else
            {
                spread.Add(new V1TopologySpreadConstraint
                {
                    MaxSkew = (int)max,
                    TopologyKey = "kubernetes.io/hostname",
                    WhenUnsatisfiable = "DoNotSchedule",
                    LabelSelector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted(unit.Selector) },
                });
                context.Fidelity.Approximated(service, "deploy.placement.max_replicas_per_node", $"Kubernetes has no per-node cap above 1: topology spread with maxSkew {max} on kubernetes.io/hostname limits the imbalance between nodes instead", location);
            }
        }

        V1Affinity? affinity = null;
        if (requirements.Count > 0 || antiAffinity is not null)
        {
            affinity = new V1Affinity
            {
                NodeAffinity = requirements.Count == 0 ? null : new V1NodeAffinity
                {
                    RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = requirements }] },
                },
                PodAntiAffinity = antiAffinity,
            };
        }

        return (affinity, spread.Count == 0 ? null : spread);
    }

    private static void Constraint(ConversionContext context, string service, string key, ScalarNode node, List<V1NodeSelectorRequirement> requirements)
    {
        var match = ConstraintPattern().Match(node.AsString());
        if (!match.Success)
        {
            context.Fidelity.Unsupported(service, key, $"'{node.AsString()}' is not '<key>==<value>' or '<key>!=<value>'", node.Location);
            return;
        }

        var name = match.Groups["key"].Value;
        var equal = match.Groups["op"].Value == "==";
        var value = match.Groups["value"].Value;
        var op = equal ? "In" : "NotIn";
        switch (name)
        {
            case "node.hostname":
                requirements.Add(new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = op, Values = [value] });
                break;
            case "node.role" when value is "manager" or "worker":
                // Control-plane nodes carry node-role.kubernetes.io/control-plane (value empty), workers do not.
                var isManager = value == "manager" == equal;
                requirements.Add(new V1NodeSelectorRequirement { Key = "node-role.kubernetes.io/control-plane", OperatorProperty = isManager ? "Exists" : "DoesNotExist" });
                break;
            case "node.platform.os":
                requirements.Add(new V1NodeSelectorRequirement { Key = "kubernetes.io/os", OperatorProperty = op, Values = [value.ToLowerInvariant()] });
                break;
            case "node.platform.arch":
                requirements.Add(new V1NodeSelectorRequirement { Key = "kubernetes.io/arch", OperatorProperty = op, Values = [Arch(value)] });
                break;
            default:
                if (name.StartsWith("node.labels.", StringComparison.Ordinal) && name.Length > "node.labels.".Length)
                {
                    requirements.Add(new V1NodeSelectorRequirement { Key = name["node.labels.".Length..], OperatorProperty = op, Values = [value] });
                    break;
                }

                context.Fidelity.Unsupported(service, key, $"'{name}' has no Kubernetes node field (node.id, engine.labels and node.role values other than manager/worker cannot be matched)", node.Location);
                return;
        }

        context.Fidelity.Mapped(service, key, $"required node affinity on {requirements[^1].Key}", node.Location);
    }

    /// <summary>Docker reports the kernel's machine name; Kubernetes uses Go's GOARCH names.</summary>
    private static string Arch(string value) => value.ToLowerInvariant() switch
    {
        "x86_64" or "x86-64" => "amd64",
        "aarch64" or "armv8" => "arm64",
        "armv7l" or "armhf" => "arm",
        "i386" or "i686" => "386",
        var other => other,
    };

    private static string? Label(string spreadKey)
        => spreadKey switch
        {
            _ when spreadKey.StartsWith("node.labels.", StringComparison.Ordinal) => spreadKey["node.labels.".Length..],
            "node.hostname" => "kubernetes.io/hostname",
            "node.platform.os" => "kubernetes.io/os",
            "node.platform.arch" => "kubernetes.io/arch",
            _ => null,
        };

    [GeneratedRegex(@"^\s*(?<key>[^=!\s]+)\s*(?<op>==|!=)\s*(?<value>\S.*?)\s*$")]
    private static partial Regex ConstraintPattern();
}
