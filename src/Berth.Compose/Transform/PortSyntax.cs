using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// <c>services.*.ports</c>: short syntax <c>[IP:][HOST:]CONTAINER[/PROTOCOL]</c> (ports or ranges) and bare integers
/// become long-syntax mappings, one per container port, as docker's port-spec parser does; long entries get the
/// protocol and mode defaults so that every entry has the same shape.
/// </summary>
internal static class PortSyntax
{
    private const string Hint = "use [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL] such as \"80\", \"8080:80\", \"127.0.0.1:8080:80/udp\", "
        + "\"[::1]:8080:80\" or \"9090-9091:8080-8081\", or the long syntax {target: 80, published: \"8080\"}";

    public static ComposeNode Canonicalize(ComposeNode node, string path, SyntaxContext context)
    {
        if (node is not SequenceNode seq)
        {
            return node;
        }

        ImmutableArray<ComposeNode>.Builder? result = null;
        for (var i = 0; i < seq.Count; i++)
        {
            var item = seq[i];
            var rewritten = Rewrite(item, path, i, context);
            if (result is null && rewritten.Count == 1 && ReferenceEquals(rewritten[0], item))
            {
                continue;
            }

            if (result is null)
            {
                result = ImmutableArray.CreateBuilder<ComposeNode>(seq.Count);
                result.AddRange(seq.Items.Take(i));
            }

            result.AddRange(rewritten);
        }

        return result is null ? seq : new SequenceNode(result.ToImmutable(), seq.Location, seq.Tag);
    }

    private static IReadOnlyList<ComposeNode> Rewrite(ComposeNode item, string path, int index, SyntaxContext context)
    {
        switch (item)
        {
            case ScalarNode { Kind: ScalarKind.Int } number:
                if (!number.TryGetInt64(out var port) || port is < 0 or > 65535)
                {
                    context.Error(DiagnosticCodes.InvalidPort, $"invalid port {number.Value}: ports are 0 to 65535", item, $"{path}[{index}]", Hint);
                    return [item];
                }

                return [Entry(port, null, null, "tcp", item.Location)];
            case ScalarNode { Kind: ScalarKind.String } text:
                if (!TryParse(text.Value, out var specs, out var error))
                {
                    if (SyntaxNodes.IsUninterpolated(text.Value))
                    {
                        return [item];
                    }

                    context.Error(DiagnosticCodes.InvalidPort, $"invalid port '{text.Value}': {error}", item, $"{path}[{index}]", Hint);
                    return [item];
                }

                return [.. specs.Select(s => Entry(s.Target, s.Published, s.HostIp, s.Protocol, item.Location))];
            case MappingNode mapping:
                return [LongSyntax(mapping)];
            default:
                // Wrong types are the schema validator's to report.
                return [item];
        }
    }

    private static MappingNode LongSyntax(MappingNode mapping)
    {
        var result = SyntaxNodes.Update(mapping, "target", v => v is ScalarNode { Kind: ScalarKind.String } s && s.TryGetInt64(out var n) ? ScalarNode.Int(n, s.Location) : v);
        result = SyntaxNodes.Update(result, "published", v => v is ScalarNode { Kind: ScalarKind.Int } s ? SyntaxNodes.AsStringScalar(s) : v);
        result = SyntaxNodes.WithDefault(result, "protocol", () => ScalarNode.String("tcp", mapping.Location));
        return SyntaxNodes.WithDefault(result, "mode", () => ScalarNode.String("ingress", mapping.Location));
    }

    private static MappingNode Entry(long target, string? published, string? hostIp, string protocol, SourceLocation at)
    {
        var entries = ImmutableArray.CreateBuilder<MappingEntry>(5);
        entries.Add(SyntaxNodes.Entry("target", ScalarNode.Int(target, at)));
        if (published is not null)
        {
            entries.Add(SyntaxNodes.Entry("published", ScalarNode.String(published, at)));
        }

        if (hostIp is not null)
        {
            entries.Add(SyntaxNodes.Entry("host_ip", ScalarNode.String(hostIp, at)));
        }

        entries.Add(SyntaxNodes.Entry("protocol", ScalarNode.String(protocol, at)));
        entries.Add(SyntaxNodes.Entry("mode", ScalarNode.String("ingress", at)));
        return new MappingNode(entries.ToImmutable(), at);
    }

    internal readonly record struct PortSpec(long Target, string? Published, string? HostIp, string Protocol);

    /// <summary>Parses one short-syntax port; ranges expand to one spec per container port.</summary>
    internal static bool TryParse(string spec, out List<PortSpec> specs, out string error)
    {
        specs = [];
        var protocol = "tcp";
        var body = spec;
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            body = spec[..slash];
            var given = spec[(slash + 1)..].ToLowerInvariant();
            if (given.Length > 0)
            {
                if (given is not ("tcp" or "udp" or "sctp"))
                {
                    error = $"unknown protocol '{spec[(slash + 1)..]}' (use tcp, udp or sctp)";
                    return false;
                }

                protocol = given;
            }
        }

        var parts = body.Split(':');
        var n = parts.Length;
        var container = parts[n - 1];
        var host = n >= 2 ? parts[n - 2] : string.Empty;
        var rawIp = n >= 3 ? string.Join(':', parts[..(n - 2)]) : string.Empty;

        string? hostIp = null;
        if (rawIp.Length > 0)
        {
            var ip = rawIp.Length > 2 && rawIp[0] == '[' && rawIp[^1] == ']' ? rawIp[1..^1] : rawIp;
            if (!IsIpAddress(ip))
            {
                error = $"'{rawIp}' is not an IP address";
                return false;
            }

            hostIp = ip;
        }

        if (container.Length == 0)
        {
            error = "no container port given";
            return false;
        }

        if (!TryParseRange(container, out var start, out var end))
        {
            error = $"'{container}' is not a port or port range";
            return false;
        }

        long hostStart = 0, hostEnd = 0;
        var hasHost = host.Length > 0;
        if (hasHost && !TryParseRange(host, out hostStart, out hostEnd))
        {
            error = $"'{host}' is not a port or port range";
            return false;
        }

        if (hasHost && hostEnd - hostStart != end - start && start != end)
        {
            error = "the host and container port ranges have different sizes";
            return false;
        }

        for (var port = start; port <= end; port++)
        {
            string? published = null;
            if (hasHost)
            {
                // A host range for a single container port means "any free port in the range".
                published = start == end && hostStart != hostEnd
                    ? $"{hostStart.ToString(CultureInfo.InvariantCulture)}-{hostEnd.ToString(CultureInfo.InvariantCulture)}"
                    : (hostStart + (port - start)).ToString(CultureInfo.InvariantCulture);
            }

            specs.Add(new PortSpec(port, published, hostIp, protocol));
        }

        error = string.Empty;
        return true;
    }

    private static bool TryParseRange(string text, out long start, out long end)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            end = 0;
            return TryParsePort(text, out start) && TryParsePort(text, out end);
        }

        end = 0;
        return TryParsePort(text[..dash], out start) && TryParsePort(text[(dash + 1)..], out end) && start <= end;
    }

    private static bool TryParsePort(string text, out long port)
    {
        port = 0;
        if (text.Length is 0 or > 5)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        port = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= 65535;
    }

    // IPAddress.TryParse alone accepts "1" or "1.2" as IPv4; docker wants a dotted quad or an IPv6 address.
    private static bool IsIpAddress(string text)
    {
        if (!IPAddress.TryParse(text, out var address))
        {
            return false;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? text.Contains(':', StringComparison.Ordinal)
            : text.Count(c => c == '.') == 3;
    }
}
