using System.Globalization;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>One container port of a service, as read from <c>ports</c> (long syntax) or <c>expose</c>.</summary>
internal sealed record PortSpec(int Target, string Protocol, int? Published, string Mode, string? Name, string? AppProtocol, bool FromExpose, string Key, SourceLocation Location)
{
    public bool IsPublished => !FromExpose;

    public bool IsHostMode => Mode == "host";

    /// <summary>An IANA service name for the port: <c>&lt;port&gt;-&lt;proto&gt;</c> (at most 15 characters).</summary>
    public string PortName(int port) => $"{port.ToString(CultureInfo.InvariantCulture)}-{Protocol.ToLowerInvariant()}";

    /// <summary>Reads ports and expose; values Kubernetes cannot take are reported and skipped.</summary>
    public static List<PortSpec> Read(ConversionContext context, ServiceUnit unit)
    {
        var result = new List<PortSpec>();
        var service = unit.ComposeName;
        if (unit.Node.Seq("ports") is { } ports)
        {
            for (var i = 0; i < ports.Count; i++)
            {
                if (ports[i] is not MappingNode p || p.Int("target") is not { } target)
                {
                    continue;
                }

                var key = $"ports[{i}]";
                var protocol = ReadProtocol(context, service, key, p.Str("protocol"), p.Location);
                if (protocol is null)
                {
                    continue;
                }

                int? published = null;
                var publishedText = p.Str("published");
                if (!string.IsNullOrEmpty(publishedText))
                {
                    var first = publishedText.Split('-')[0];
                    if (int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    {
                        published = value;
                    }

                    if (publishedText.Contains('-', StringComparison.Ordinal))
                    {
                        context.Fidelity.Approximated(service, key, $"published range {publishedText} for one target: only {first} is used", p.Location);
                    }
                }

                if (p.Str("host_ip") is { Length: > 0 } hostIp)
                {
                    context.Fidelity.Approximated(service, $"{key}.host_ip", p.Str("mode") == "host" ? $"hostIP {hostIp}" : $"Services cannot bind to host IP {hostIp}; the port is published on every address", p.LocationOf("host_ip"));
                }

                result.Add(new PortSpec((int)target, protocol, published, p.Str("mode") ?? "ingress", p.Str("name"), p.Str("app_protocol"), FromExpose: false, key, p.Location));
            }
        }

        var exposed = unit.Node.Seq("expose")?.Items.OfType<ScalarNode>().ToList() ?? [];
        for (var i = 0; i < exposed.Count; i++)
        {
            var text = exposed[i].AsString();
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var protocol = ReadProtocol(context, service, $"expose[{i}]", slash < 0 ? null : text[(slash + 1)..], exposed[i].Location);
            var range = (slash < 0 ? text : text[..slash]).Split('-');
            if (protocol is null
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var to)
                || from > to || to > 65535)
            {
                context.Fidelity.Unsupported(service, $"expose[{i}]", $"'{text}' is not a port or port range", exposed[i].Location);
                continue;
            }

            for (var port = from; port <= to; port++)
            {
                result.Add(new PortSpec(port, protocol, null, "ingress", null, null, FromExpose: true, $"expose[{i}]", exposed[i].Location));
            }
        }

        return result;
    }

    private static string? ReadProtocol(ConversionContext context, string service, string key, string? protocol, SourceLocation location)
    {
        switch (protocol?.ToLowerInvariant())
        {
            case null or "" or "tcp":
                return "TCP";
            case "udp":
                return "UDP";
            case "sctp":
                return "SCTP";
            default:
                context.Fidelity.Unsupported(service, key, $"protocol '{protocol}' is not TCP, UDP or SCTP", location);
                return null;
        }
    }
}
