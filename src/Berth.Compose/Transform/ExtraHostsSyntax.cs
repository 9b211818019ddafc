using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// <c>extra_hosts</c> (service and build): <c>host=ip</c> / <c>host:ip</c> lists and <c>host: ip</c> mappings become
/// a mapping host → list of IPs. Repeated hosts and comma-separated IPs collect into one list; <c>[::1]</c> loses its brackets.
/// </summary>
internal static class ExtraHostsSyntax
{
    private const string Hint = "write HOST=IP (or HOST:IP), e.g. \"db=10.0.0.5\" or \"myhostv6=[::1]\", or a mapping host: ip";

    public static ComposeNode Canonicalize(ComposeNode node, string path, SyntaxContext context)
    {
        switch (node)
        {
            case SequenceNode list when list.Items.All(i => i is ScalarNode { Kind: ScalarKind.String }):
                return FromList(list, path, context);
            case MappingNode mapping:
                return SyntaxNodes.MapValues(mapping, e => e.Value switch
                {
                    ScalarNode { Kind: not ScalarKind.Null } ip => IpList(ip.AsString(), ip.Location, ip.Tag),
                    SequenceNode ips => SyntaxNodes.MapItems(ips, (item, _) => item is ScalarNode { Kind: not ScalarKind.Null } s ? Unbracket(s) : item),
                    _ => e.Value,
                });
            default:
                return node;
        }
    }

    private static ComposeNode FromList(SequenceNode list, string path, SyntaxContext context)
    {
        var hosts = new List<(ScalarNode Key, List<ComposeNode> Ips)>();
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        var valid = true;
        for (var i = 0; i < list.Count; i++)
        {
            var item = (ScalarNode)list[i];
            var text = item.Value;

            // '=' first: with ':' the IPv6 address would be cut too (compose-go does the same).
            var separator = text.IndexOf('=', StringComparison.Ordinal);
            if (separator < 0)
            {
                separator = text.IndexOf(':', StringComparison.Ordinal);
            }

            var host = separator < 0 ? text : text[..separator];
            if (separator < 0 || host.Length == 0 || host.Contains(':', StringComparison.Ordinal))
            {
                if (SyntaxNodes.IsUninterpolated(text))
                {
                    valid = false;
                    continue;
                }

                var problem = separator < 0 ? "has no IP address" : "has no valid host name";
                context.Error(DiagnosticCodes.InvalidValue, $"extra host '{text}' {problem}", item, $"{path}[{i}]", Hint);
                valid = false;
                continue;
            }

            if (!positions.TryGetValue(host, out var at))
            {
                at = hosts.Count;
                positions[host] = at;
                hosts.Add((ScalarNode.String(host, item.Location), []));
            }

            hosts[at].Ips.AddRange(((SequenceNode)IpList(text[(separator + 1)..], item.Location, null)).Items);
        }

        if (!valid)
        {
            return list;
        }

        var entries = hosts.Select(h => new MappingEntry(h.Key, new SequenceNode([.. h.Ips], h.Key.Location)));
        return new MappingNode([.. entries], list.Location, list.Tag);
    }

    private static SequenceNode IpList(string ips, SourceLocation at, string? tag)
    {
        var items = ImmutableArray.CreateBuilder<ComposeNode>();
        foreach (var ip in ips.Split(','))
        {
            items.Add(ScalarNode.String(Unbracket(ip), at));
        }

        return new SequenceNode(items.ToImmutable(), at, tag);
    }

    private static ScalarNode Unbracket(ScalarNode ip)
    {
        var text = ip.AsString();
        var plain = Unbracket(text);
        return ip.Kind == ScalarKind.String && ReferenceEquals(plain, text) ? ip : new ScalarNode(plain, ScalarKind.String, ip.Location, ip.Tag, quoted: true);
    }

    private static string Unbracket(string ip) => ip.Length > 2 && ip[0] == '[' && ip[^1] == ']' ? ip[1..^1] : ip;
}
