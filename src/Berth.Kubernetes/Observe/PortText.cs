using System.Globalization;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// How a Compose service is reached, from its Services, in the style of <c>docker stack services</c>:
/// LoadBalancer <c>203.0.113.7:80-&gt;8080/TCP</c> (<c>&lt;pending&gt;:…</c> before the cloud assigns an address),
/// NodePort <c>*:30080-&gt;80/TCP</c>, ClusterIP <c>80/TCP</c> (left out when the same target is already published).
/// </summary>
internal static class PortText
{
    /// <summary>compose-on-kubernetes gives its headless Services a placeholder port that nothing listens on.</summary>
    private const string PlaceholderPortName = "headless";

    public static string Of(IEnumerable<V1Service> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var published = new List<(string Text, string Target)>();
        var cluster = new List<string>();
        foreach (var service in services.OrderBy(s => s.Metadata?.Name, StringComparer.Ordinal))
        {
            var spec = service.Spec;
            foreach (var port in spec?.Ports ?? [])
            {
                var protocol = port.Protocol ?? "TCP";
                var target = string.IsNullOrEmpty(port.TargetPort?.Value) ? port.Port.ToString(CultureInfo.InvariantCulture) : port.TargetPort.Value;
                var targetText = $"{target}/{protocol}";
                switch (spec!.Type)
                {
                    case "LoadBalancer":
                        published.Add(($"{Address(service)}:{port.Port.ToString(CultureInfo.InvariantCulture)}->{targetText}", targetText));
                        break;
                    case "NodePort":
                        var node = port.NodePort is { } n ? n.ToString(CultureInfo.InvariantCulture) : "<pending>";
                        published.Add(($"*:{node}->{targetText}", targetText));
                        break;
                    case "ExternalName":
                        break;
                    default:
                        if (port.Name != PlaceholderPortName || spec.ClusterIP != "None")
                        {
                            cluster.Add(string.Create(CultureInfo.InvariantCulture, $"{port.Port}/{protocol}"));
                        }

                        break;
                }
            }
        }

        var publishedTargets = published.Select(p => p.Target).ToHashSet(StringComparer.Ordinal);
        return string.Join(", ", published.Select(p => p.Text).Concat(cluster.Where(c => !publishedTargets.Contains(c))).Distinct(StringComparer.Ordinal));
    }

    private static string Address(V1Service service)
    {
        var ingress = service.Status?.LoadBalancer?.Ingress?.FirstOrDefault(i => !string.IsNullOrEmpty(i.Ip) || !string.IsNullOrEmpty(i.Hostname));
        return ingress is null ? "<pending>" : string.IsNullOrEmpty(ingress.Ip) ? ingress.Hostname : ingress.Ip;
    }
}
