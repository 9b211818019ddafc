using System.Collections.Immutable;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>Small helpers for rewriting parts of an immutable tree without touching the rest.</summary>
internal static class NormalizeNodes
{
    /// <summary>Replaces the value at <paramref name="key"/> when present; the mapping is returned unchanged otherwise.</summary>
    public static MappingNode Update(MappingNode map, string key, Func<ComposeNode, ComposeNode> change)
    {
        if (!map.TryGet(key, out var value))
        {
            return map;
        }

        var changed = change(value);
        return ReferenceEquals(changed, value) ? map : map.With(key, changed);
    }

    /// <summary>Applies <paramref name="change"/> to the value at <paramref name="key"/> when it is a mapping.</summary>
    public static MappingNode UpdateMapping(MappingNode map, string key, Func<MappingNode, MappingNode> change)
        => Update(map, key, v => v is MappingNode m ? change(m) : v);

    /// <summary>Applies <paramref name="change"/> to every value of a mapping (with its key), keeping order and keys.</summary>
    public static MappingNode MapValues(MappingNode map, Func<string, ComposeNode, ComposeNode> change)
    {
        ImmutableArray<MappingEntry>.Builder? builder = null;
        for (var i = 0; i < map.Entries.Length; i++)
        {
            var entry = map.Entries[i];
            var changed = change(entry.Name, entry.Value);
            if (!ReferenceEquals(changed, entry.Value))
            {
                builder ??= map.Entries.ToBuilder();
                builder[i] = new MappingEntry(entry.Key, changed);
            }
        }

        return builder is null ? map : new MappingNode(builder.ToImmutable(), map.Location, map.Tag);
    }

    /// <summary>Applies <paramref name="change"/> to every item of a sequence (with its index).</summary>
    public static SequenceNode MapItems(SequenceNode seq, Func<int, ComposeNode, ComposeNode> change)
    {
        ImmutableArray<ComposeNode>.Builder? builder = null;
        for (var i = 0; i < seq.Items.Length; i++)
        {
            var changed = change(i, seq.Items[i]);
            if (!ReferenceEquals(changed, seq.Items[i]))
            {
                builder ??= seq.Items.ToBuilder();
                builder[i] = changed;
            }
        }

        return builder is null ? seq : new SequenceNode(builder.ToImmutable(), seq.Location, seq.Tag);
    }

    /// <summary>True for a boolean true, or the strings Compose reads as true.</summary>
    public static bool IsTrue(ComposeNode? node)
        => node is ScalarNode s && (s.Kind == ScalarKind.Bool || s.Kind == ScalarKind.String)
           && string.Equals(s.Value, "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for a boolean false, or the strings Compose reads as false.</summary>
    public static bool IsFalse(ComposeNode? node)
        => node is ScalarNode s && (s.Kind == ScalarKind.Bool || s.Kind == ScalarKind.String)
           && string.Equals(s.Value, "false", StringComparison.OrdinalIgnoreCase);
}
