using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// <c>services.*.devices</c>: <c>SOURCE[:TARGET[:PERMISSIONS]]</c> becomes <c>{source, target, permissions}</c>; the
/// target defaults to the source and the permissions to <c>rwm</c>, as in compose-go. CDI names
/// (<c>vendor.com/device=gpu</c>) have no colon and map onto themselves.
/// </summary>
internal static class DeviceSyntax
{
    public static ComposeNode Canonicalize(ComposeNode node, string path, SyntaxContext context)
    {
        var list = SyntaxNodes.StringOrList(node);
        if (list is not SequenceNode seq)
        {
            return list;
        }

        return SyntaxNodes.MapItems(seq, (item, i) =>
        {
            if (item is not ScalarNode { Kind: ScalarKind.String } spec)
            {
                return item;
            }

            var parts = spec.Value.Split(':');
            if (parts.Length > 3 || parts.Any(p => p.Length == 0))
            {
                if (SyntaxNodes.IsUninterpolated(spec.Value))
                {
                    return item;
                }

                context.Error(
                    DiagnosticCodes.InvalidValue,
                    $"invalid device '{spec.Value}'",
                    item,
                    $"{path}[{i}]",
                    "use SOURCE[:TARGET[:PERMISSIONS]] such as \"/dev/ttyUSB0\" or \"/dev/sda:/dev/xvda:rwm\", or the long syntax {source, target, permissions}");
                return item;
            }

            var at = spec.Location;
            var entries = ImmutableArray.Create(
                SyntaxNodes.Entry("source", ScalarNode.String(parts[0], at)),
                SyntaxNodes.Entry("target", ScalarNode.String(parts.Length > 1 ? parts[1] : parts[0], at)),
                SyntaxNodes.Entry("permissions", ScalarNode.String(parts.Length > 2 ? parts[2] : "rwm", at)));
            return new MappingNode(entries, at, spec.Tag);
        });
    }
}
