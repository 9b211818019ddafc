using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>
/// kompose.service.expose → networking.k8s.io/v1 Ingress to the service's first port: <c>true</c> gives one
/// rule for any host, otherwise one rule per <c>host[/path]</c>; <c>.tls-secret</c> and
/// <c>.ingress-class-name</c> as kompose does.
/// </summary>
internal static class IngressBuilder
{
    public static void Build(ConversionContext context, ServiceUnit unit, List<PortSpec> ports)
    {
        if (unit.Settings.Expose is not { } expose || expose.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var location = unit.Node.Map("labels")?.LocationOf("kompose.service.expose") ?? unit.Node.Location;
        // kompose routes to the first port; the first TCP one in file order is what an HTTP ingress can use.
        var port = ports.FirstOrDefault(p => p.Protocol == "TCP");
        if (port is null)
        {
            context.Diagnostics.Error(KubernetesDiagnosticCodes.InvalidValue, "kompose.service.expose needs a TCP port (ports or expose) to route to", location, $"services.{unit.ComposeName}.labels");
            return;
        }

        var backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = unit.Name, Port = new V1ServiceBackendPort { Number = port.Target } } };
        var rules = new List<V1IngressRule>();
        var hosts = new List<string>();
        if (expose.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            rules.Add(new V1IngressRule { Http = new V1HTTPIngressRuleValue { Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = backend }] } });
        }
        else
        {
            foreach (var entry in expose.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var slash = entry.IndexOf('/', StringComparison.Ordinal);
                var host = slash < 0 ? entry : entry[..slash];
                var path = slash < 0 ? "/" : entry[slash..];
                hosts.Add(host);
                rules.Add(new V1IngressRule { Host = host, Http = new V1HTTPIngressRuleValue { Paths = [new V1HTTPIngressPath { Path = path, PathType = "Prefix", Backend = backend }] } });
            }
        }

        context.Claim("Ingress", unit.Name, $"service '{unit.ComposeName}'", location, $"services.{unit.ComposeName}.labels");
        context.Add(new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = context.Meta(unit.Name, unit.Labels),
            Spec = new V1IngressSpec
            {
                IngressClassName = unit.Settings.IngressClassName,
                Rules = rules,
                Tls = unit.Settings.ExposeTlsSecret is { } secret ? [new V1IngressTLS { SecretName = secret, Hosts = hosts.Count == 0 ? null : hosts }] : null,
            },
        });
    }
}
