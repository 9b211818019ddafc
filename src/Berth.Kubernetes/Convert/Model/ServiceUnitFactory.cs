using System.Collections.Immutable;
using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Stacks;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>Decides names and labels of each service once, claiming names so collisions are found before anything is built.</summary>
internal static class ServiceUnitFactory
{
    public static ServiceUnit Create(ConversionContext context, string composeName, MappingNode node)
    {
        var name = DnsNames.ToDns1035Label(composeName);
        var location = node.Location;
        context.Claim("Service", name, $"service '{composeName}'", location, $"services.{composeName}");

        var selector = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create(StackLabels.StackNamespace, context.Stack),
            KeyValuePair.Create(StackLabels.ServiceName, DnsNames.ToLabelValue(composeName)),
            KeyValuePair.Create(StackLabels.ServiceId, StackName.ServiceId(context.Stack, composeName)),
        ]);

        var labels = selector.ToBuilder();
        foreach (var (key, value) in context.StackLabels())
        {
            labels[key] = value;
        }

        labels[StackLabels.AppName] = DnsNames.ToLabelValue(composeName);
        labels[StackLabels.AppInstance] = StackName.ServiceId(context.Stack, composeName);
        labels[StackLabels.AppComponent] = DnsNames.ToLabelValue(composeName);

        // deploy.labels go on the objects (as docker stack puts them on the Swarm service); invalid ones are reported.
        var deploy = node.Map("deploy");
        if (deploy?.Map("labels") is { } deployLabels)
        {
            foreach (var entry in Ordering.Stable(deployLabels.Entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name)))
            {
                var value = entry.Value is ScalarNode s ? s.AsString() : string.Empty;
                if (!DnsNames.IsLabelKey(entry.Name) || !DnsNames.IsLabelValue(value))
                {
                    context.Fidelity.Unsupported(composeName, $"deploy.labels.{entry.Name}", "not a valid Kubernetes label key or value; left out", entry.Key.Location);
                    continue;
                }

                if (selector.ContainsKey(entry.Name))
                {
                    context.Fidelity.Unsupported(composeName, $"deploy.labels.{entry.Name}", "would change the selector label Berth owns", entry.Key.Location);
                    continue;
                }

                labels[entry.Name] = value;
            }
        }

        return new ServiceUnit(composeName, name, node, selector, labels.ToImmutable(), ServiceSettingsReader.Read(node));
    }
}
