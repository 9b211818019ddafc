using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Small builders shared by the syntax rewriters. Every rewriter returns the very same node object when it
/// has nothing to change, so a large project that is already in long syntax is not copied.
/// </summary>
internal static class SyntaxNodes
{
    public static ScalarNode String(string value, SourceLocation location) => ScalarNode.String(value, location);

    /// <summary>The scalar as a string scalar (<c>42</c> → <c>"42"</c>, <c>true</c> → <c>"true"</c>); null stays null.</summary>
    public static ScalarNode AsStringScalar(ScalarNode scalar)
        => scalar.Kind is ScalarKind.String or ScalarKind.Null
            ? scalar
            : new ScalarNode(scalar.Value, ScalarKind.String, scalar.Location, scalar.Tag, quoted: true);

    /// <summary>Any node as a string scalar where it is a scalar (null becomes <c>""</c>); other nodes are returned as they are.</summary>
    public static ComposeNode AsNonNullString(ComposeNode node) => node switch
    {
        ScalarNode { Kind: ScalarKind.Null } s => new ScalarNode(string.Empty, ScalarKind.String, s.Location, s.Tag, quoted: true),
        ScalarNode s => AsStringScalar(s),
        _ => node,
    };

    /// <summary>
    /// True when the text still holds a variable reference: the file was loaded without interpolation. Such a value
    /// may only parse once substituted, so a rewriter that cannot parse it keeps it as written, without an error,
    /// as compose-go does with --no-interpolate.
    /// </summary>
    public static bool IsUninterpolated(string text) => text.Contains('$', StringComparison.Ordinal);

    public static MappingEntry Entry(string key, ComposeNode value) => new(ScalarNode.String(key, value.Location), value);

    public static MappingNode Mapping(SourceLocation location, string? tag, params ReadOnlySpan<MappingEntry> entries)
        => new([.. entries], location, tag);

    /// <summary>Rewrites every value of a mapping; returns <paramref name="mapping"/> itself when no value changed.</summary>
    public static MappingNode MapValues(MappingNode mapping, Func<MappingEntry, ComposeNode> rewrite)
    {
        ImmutableArray<MappingEntry>.Builder? changed = null;
        var entries = mapping.Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            var value = rewrite(entry);
            if (changed is null && ReferenceEquals(value, entry.Value))
            {
                continue;
            }

            if (changed is null)
            {
                changed = ImmutableArray.CreateBuilder<MappingEntry>(entries.Length);
                for (var j = 0; j < i; j++)
                {
                    changed.Add(entries[j]);
                }
            }

            changed.Add(ReferenceEquals(value, entry.Value) ? entry : new MappingEntry(entry.Key, value));
        }

        return changed is null ? mapping : new MappingNode(changed.MoveToImmutable(), mapping.Location, mapping.Tag);
    }

    /// <summary>Rewrites every item of a sequence; returns <paramref name="sequence"/> itself when no item changed.</summary>
    public static SequenceNode MapItems(SequenceNode sequence, Func<ComposeNode, int, ComposeNode> rewrite)
    {
        ImmutableArray<ComposeNode>.Builder? changed = null;
        var items = sequence.Items;
        for (var i = 0; i < items.Length; i++)
        {
            var value = rewrite(items[i], i);
            if (changed is null && ReferenceEquals(value, items[i]))
            {
                continue;
            }

            if (changed is null)
            {
                changed = ImmutableArray.CreateBuilder<ComposeNode>(items.Length);
                for (var j = 0; j < i; j++)
                {
                    changed.Add(items[j]);
                }
            }

            changed.Add(value);
        }

        return changed is null ? sequence : new SequenceNode(changed.MoveToImmutable(), sequence.Location, sequence.Tag);
    }

    /// <summary>Rewrites the value of one key when present; returns <paramref name="mapping"/> itself otherwise.</summary>
    public static MappingNode Update(MappingNode mapping, string key, Func<ComposeNode, ComposeNode> rewrite)
    {
        var i = mapping.IndexOf(key);
        if (i < 0)
        {
            return mapping;
        }

        var entry = mapping.Entries[i];
        var value = rewrite(entry.Value);
        return ReferenceEquals(value, entry.Value)
            ? mapping
            : new MappingNode(mapping.Entries.SetItem(i, new MappingEntry(entry.Key, value)), mapping.Location, mapping.Tag);
    }

    /// <summary>Adds <paramref name="key"/> with <paramref name="value"/> unless the mapping has it already.</summary>
    public static MappingNode WithDefault(MappingNode mapping, string key, Func<ComposeNode> value)
        => mapping.ContainsKey(key) ? mapping : new MappingNode(mapping.Entries.Add(Entry(key, value())), mapping.Location, mapping.Tag);

    /// <summary>Every item of a list as a string scalar (list of strings keys such as expose, links, command).</summary>
    public static ComposeNode StringItems(ComposeNode node)
        => node is SequenceNode seq
            ? MapItems(seq, (item, _) => item is ScalarNode { Kind: not ScalarKind.Null } s ? AsStringScalar(s) : item)
            : node;

    /// <summary>A single string becomes a one-item list; lists get string items.</summary>
    public static ComposeNode StringOrList(ComposeNode node)
        => node is ScalarNode { Kind: not ScalarKind.Null } s
            ? new SequenceNode([AsStringScalar(s).WithoutTag()], s.Location, s.Tag)
            : StringItems(node);
}
