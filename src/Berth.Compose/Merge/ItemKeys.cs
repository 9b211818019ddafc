using System.Text;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Computes the identity of an item in a unique sequence (ports, volumes, secrets …).</summary>
/// <remarks>
/// Items are syntax-canonical mappings, but the short string forms are understood too, so a file merged
/// without canonicalisation (tests, extends bases read raw) still deduplicates sensibly.
/// </remarks>
internal static class ItemKeys
{
    /// <summary>The key of <paramref name="item"/>, or null when it has none (then it is simply appended).</summary>
    public static string? Of(ItemKey kind, ComposeNode item) => kind switch
    {
        ItemKey.Port => PortKey(item),
        ItemKey.Target => item is ScalarNode s ? ShortVolumeTarget(s.AsString()) : Field(item, "target"),
        ItemKey.SecretMount => MountKey(item, "/run/secrets"),
        ItemKey.ConfigMount => MountKey(item, string.Empty),
        ItemKey.DeviceTarget => DeviceKey(item),
        ItemKey.EnvFilePath => item is ScalarNode s ? s.AsString() : Field(item, "path"),
        ItemKey.KeyValue => item is ScalarNode s ? KeyBeforeEquals(s.AsString()) : Structural(item),
        ItemKey.Exact => Structural(item),
        _ => null,
    };

    /// <summary>A string that is equal for structurally equal values (tags and locations ignored).</summary>
    public static string Structural(ComposeNode node)
    {
        if (node is ScalarNode scalar)
        {
            // Most items are scalars: no builder needed.
            return scalar.AsString();
        }

        var builder = new StringBuilder();
        Append(builder, node);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, ComposeNode node)
    {
        switch (node)
        {
            case ScalarNode scalar:
                builder.Append('"').Append(scalar.AsString().Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case SequenceNode sequence:
                builder.Append('[');
                foreach (var item in sequence.Items)
                {
                    Append(builder, item);
                    builder.Append(',');
                }

                builder.Append(']');
                break;
            case MappingNode mapping:
                builder.Append('{');
                foreach (var entry in mapping.Entries.OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    builder.Append('"').Append(entry.Name.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\":");
                    Append(builder, entry.Value);
                    builder.Append(',');
                }

                builder.Append('}');
                break;
            default:
                break;
        }
    }

    private static string? Field(ComposeNode item, string name)
        => item is MappingNode m && m[name] is ScalarNode { IsNull: false } s ? s.AsString() : null;

    private static string? PortKey(ComposeNode item)
    {
        if (item is ScalarNode scalar)
        {
            return scalar.AsString();
        }

        if (item is not MappingNode)
        {
            return null;
        }

        // compose-go's port indexer: an absent host_ip is 0.0.0.0 and an absent protocol is tcp.
        var host = Field(item, "host_ip") ?? "0.0.0.0";
        var published = Field(item, "published") ?? string.Empty;
        var target = Field(item, "target") ?? string.Empty;
        var protocol = Field(item, "protocol") ?? "tcp";
        return $"{host}:{published}:{target}/{protocol}";
    }

    private static string? MountKey(ComposeNode item, string defaultFolder)
    {
        if (item is ScalarNode scalar)
        {
            return $"{defaultFolder}/{scalar.AsString()}";
        }

        return Field(item, "target") ?? (Field(item, "source") is { } source ? $"{defaultFolder}/{source}" : null);
    }

    private static string? DeviceKey(ComposeNode item)
    {
        if (item is ScalarNode scalar)
        {
            var parts = scalar.AsString().Split(':');
            return parts.Length > 1 ? parts[1] : parts[0];
        }

        return Field(item, "target") ?? Field(item, "source");
    }

    private static string KeyBeforeEquals(string value)
    {
        var i = value.IndexOf('=', StringComparison.Ordinal);
        return i >= 0 ? value[..i] : value;
    }

    /// <summary>The target of a short volume (<c>[source:]target[:mode]</c>), tolerating a Windows drive in the source.</summary>
    private static string ShortVolumeTarget(string spec)
    {
        var parts = new List<string>(spec.Split(':'));
        if (parts.Count > 1 && parts[0].Length == 1 && char.IsAsciiLetter(parts[0][0]) && parts[1].StartsWith('\\'))
        {
            parts[1] = $"{parts[0]}:{parts[1]}";
            parts.RemoveAt(0);
        }

        return parts.Count == 1 ? parts[0] : parts[1];
    }
}
