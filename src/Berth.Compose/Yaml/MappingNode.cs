using System.Collections.Frozen;
using System.Collections.Immutable;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Yaml;

/// <summary>A YAML mapping with string keys, in source order.</summary>
public sealed class MappingNode : ComposeNode
{
    // Small mappings are searched linearly; large ones (services of a big project) get an index.
    private const int IndexThreshold = 12;
    private FrozenDictionary<string, int>? _index;

    public MappingNode(ImmutableArray<MappingEntry> entries, SourceLocation location, string? tag = null)
        : base(location, tag, 1 + SumWeights(entries))
    {
        Entries = entries;
    }

    public static MappingNode Empty(SourceLocation location) => new([], location);

    public ImmutableArray<MappingEntry> Entries { get; }

    public int Count => Entries.Length;

    public IEnumerable<string> Keys => Entries.Select(e => e.Name);

    public ComposeNode? this[string key] => TryGet(key, out var value) ? value : null;

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGet(string key, out ComposeNode value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? Entries[i].Value : null!;
        return i >= 0;
    }

    public bool TryGetEntry(string key, out MappingEntry entry)
    {
        var i = IndexOf(key);
        entry = i >= 0 ? Entries[i] : default;
        return i >= 0;
    }

    public int IndexOf(string key)
    {
        if (Entries.Length >= IndexThreshold)
        {
            _index ??= BuildIndex(Entries);
            return _index.TryGetValue(key, out var found) ? found : -1;
        }

        for (var i = 0; i < Entries.Length; i++)
        {
            if (string.Equals(Entries[i].Name, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Returns a mapping where <paramref name="key"/> has <paramref name="value"/>, replacing in place or appending.</summary>
    public MappingNode With(string key, ComposeNode value)
    {
        var i = IndexOf(key);
        if (i >= 0)
        {
            return new MappingNode(Entries.SetItem(i, new MappingEntry(Entries[i].Key, value)), Location, Tag);
        }

        return new MappingNode(Entries.Add(new MappingEntry(ScalarNode.String(key, value.Location), value)), Location, Tag);
    }

    public MappingNode With(ScalarNode key, ComposeNode value)
    {
        var i = IndexOf(key.AsString());
        return i >= 0
            ? new MappingNode(Entries.SetItem(i, new MappingEntry(Entries[i].Key, value)), Location, Tag)
            : new MappingNode(Entries.Add(new MappingEntry(key, value)), Location, Tag);
    }

    public MappingNode Without(string key)
    {
        var i = IndexOf(key);
        return i < 0 ? this : new MappingNode(Entries.RemoveAt(i), Location, Tag);
    }

    public MappingNode WithEntries(IEnumerable<MappingEntry> entries) => new([.. entries], Location, Tag);

    public override ComposeNode WithoutTag() => Tag is null ? this : new MappingNode(Entries, Location);

    public override bool SameValueAs(ComposeNode other)
    {
        if (other is not MappingNode m || m.Entries.Length != Entries.Length)
        {
            return false;
        }

        foreach (var entry in Entries)
        {
            if (!m.TryGet(entry.Name, out var theirs) || !entry.Value.SameValueAs(theirs))
            {
                return false;
            }
        }

        return true;
    }

    private static FrozenDictionary<string, int> BuildIndex(ImmutableArray<MappingEntry> entries)
    {
        var map = new Dictionary<string, int>(entries.Length, StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            map.TryAdd(entries[i].Name, i);
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static long SumWeights(ImmutableArray<MappingEntry> entries)
    {
        long total = 0;
        foreach (var entry in entries)
        {
            total = checked(total + entry.Value.Weight + 1);
        }

        return total;
    }
}
