using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>One merge of two trees; holds the current path so the per-path rules can be looked up.</summary>
/// <param name="diagnostics">Where type conflicts are reported.</param>
/// <param name="keepOverlayTags">
/// True for extends: the overlay's tags stay in the result (a <c>!reset</c> entry stays as such) so a later
/// file-level merge applies them again; base values are always cleaned.
/// </param>
internal sealed class TreeMerger(DiagnosticBag diagnostics, bool keepOverlayTags)
{
    private readonly List<string> _path = [];

    public MappingNode MergeDocument(MappingNode baseDocument, MappingNode overlay)
    {
        var merged = MergeValue(baseDocument, overlay);
        return merged as MappingNode ?? MappingNode.Empty(baseDocument.Location);
    }

    public MappingNode MergeAt(IEnumerable<string> path, MappingNode baseValue, MappingNode overlay)
    {
        _path.AddRange(path);
        var merged = MergeValue(baseValue, overlay);
        _path.Clear();
        return merged as MappingNode ?? MappingNode.Empty(overlay.Location);
    }

    /// <summary>Merges one value; null means the key is removed.</summary>
    private ComposeNode? MergeValue(ComposeNode? baseValue, ComposeNode overlay)
    {
        if (overlay.HasTag(MergeTags.Reset))
        {
            return keepOverlayTags ? overlay : null;
        }

        if (overlay.HasTag(MergeTags.Override) || baseValue is null || baseValue.HasTag(MergeTags.Reset))
        {
            return Own(overlay);
        }

        var rule = MergeRules.For(_path);
        if (overlay is ScalarNode { IsNull: true } && rule.Strategy != MergeStrategy.Replace)
        {
            // compose-go: a null override leaves the base value alone (e.g. 'networks: {front: }' over aliases).
            return MergeTags.Clean(baseValue);
        }

        switch (rule.Strategy)
        {
            case MergeStrategy.Replace:
                return Own(overlay);
            case MergeStrategy.StringMap when baseValue is MappingNode b && overlay is MappingNode o:
                return MergeMappings(b, o, overlayEntriesWin: true);
            case MergeStrategy.Unique when baseValue is SequenceNode b && overlay is SequenceNode o:
                return MergeUnique(b, o, rule.Key);
            case MergeStrategy.ExtraHosts:
                return MergeExtraHosts(baseValue, overlay);
            case MergeStrategy.Logging when baseValue is MappingNode b && overlay is MappingNode o:
                return MergeLogging(b, o);
            case MergeStrategy.Build:
                return MergeDefault(BuildAsMapping(baseValue), BuildAsMapping(overlay));
            case MergeStrategy.Models:
                return MergeModels(baseValue, overlay);
            case MergeStrategy.IpamConfig when baseValue is SequenceNode b && overlay is SequenceNode o:
                return MergeIpamConfig(b, o);
            default:
                return MergeDefault(baseValue, overlay);
        }
    }

    private ComposeNode? MergeDefault(ComposeNode baseValue, ComposeNode overlay)
    {
        switch (baseValue, overlay)
        {
            case (MappingNode b, MappingNode o):
                return MergeMappings(b, o, overlayEntriesWin: false);
            case (SequenceNode b, SequenceNode o):
                return Append(b, o);
            case (MappingNode, SequenceNode) or (SequenceNode, MappingNode):
                var path = string.Join('.', _path);
                diagnostics.Error(
                    DiagnosticCodes.InvalidOverride,
                    $"cannot override {path}: a {Describe(baseValue)} cannot be merged with a {Describe(overlay)}",
                    overlay.Location,
                    path,
                    "write both files with the same form, or tag the overriding value with !override to replace it");
                return Own(overlay);
            default:
                return Own(overlay);
        }
    }

    private static string Describe(ComposeNode node) => node switch
    {
        MappingNode => "mapping",
        SequenceNode => "sequence",
        _ => "scalar",
    };

    /// <summary>An overlay value taken as is: cleaned of tags unless they must survive for a later merge.</summary>
    private ComposeNode? Own(ComposeNode overlay) => keepOverlayTags ? overlay : MergeTags.Clean(overlay);

    private MappingNode MergeMappings(MappingNode baseMap, MappingNode overlay, bool overlayEntriesWin)
    {
        // Built once: With() in a loop would copy the entry array per key (quadratic on 2,000 services).
        var entries = ImmutableArray.CreateBuilder<MappingEntry>(baseMap.Count + overlay.Count);
        foreach (var entry in baseMap.Entries)
        {
            if (!overlay.TryGetEntry(entry.Name, out var theirs))
            {
                if (MergeTags.Clean(entry.Value) is { } kept)
                {
                    entries.Add(new MappingEntry(entry.Key, kept));
                }

                continue;
            }

            ComposeNode? merged;
            if (overlayEntriesWin || entry.Name.StartsWith("x-", StringComparison.Ordinal))
            {
                merged = theirs.Value.HasTag(MergeTags.Reset) && !keepOverlayTags ? null : Own(theirs.Value);
            }
            else
            {
                _path.Add(entry.Name);
                merged = MergeValue(entry.Value, theirs.Value);
                _path.RemoveAt(_path.Count - 1);
            }

            if (merged is not null)
            {
                // A value that came from the overlay is listed under the overlay's key, so the key traces there too.
                var key = merged.Location == theirs.Value.Location ? theirs.Key : entry.Key;
                entries.Add(new MappingEntry(key, merged));
            }
        }

        foreach (var entry in overlay.Entries)
        {
            if (!baseMap.ContainsKey(entry.Name) && Own(entry.Value) is { } added)
            {
                entries.Add(new MappingEntry(entry.Key, added));
            }
        }

        return new MappingNode(entries.ToImmutable(), baseMap.Location);
    }

    private SequenceNode Append(SequenceNode baseSequence, SequenceNode overlay)
    {
        var items = ImmutableArray.CreateBuilder<ComposeNode>(baseSequence.Count + overlay.Count);
        AddCleaned(items, baseSequence);
        AddOwned(items, overlay);
        return new SequenceNode(items.ToImmutable(), baseSequence.Location);
    }

    private SequenceNode MergeUnique(SequenceNode baseSequence, SequenceNode overlay, ItemKey key)
    {
        var items = new List<ComposeNode>(baseSequence.Count + overlay.Count);
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);

        // Like compose-go's unicity rule: a later item replaces the earlier one with the same key, in its place.
        void Add(ComposeNode item)
        {
            var k = ItemKeys.Of(key, item);
            if (k is not null && positions.TryGetValue(k, out var at))
            {
                items[at] = item;
                return;
            }

            if (k is not null)
            {
                positions[k] = items.Count;
            }

            items.Add(item);
        }

        foreach (var item in baseSequence.Items)
        {
            if (MergeTags.Clean(item) is { } cleaned)
            {
                Add(cleaned);
            }
        }

        foreach (var item in overlay.Items)
        {
            if (item.HasTag(MergeTags.Reset) && !keepOverlayTags)
            {
                continue;
            }

            if (Own(item) is { } owned)
            {
                Add(owned);
            }
        }

        return new SequenceNode([.. items], baseSequence.Location);
    }

    private ComposeNode? MergeExtraHosts(ComposeNode baseValue, ComposeNode overlay)
    {
        switch (baseValue, overlay)
        {
            case (MappingNode b, MappingNode o):
                // host → addresses: the addresses of a host listed in both files are united (compose-go keeps
                // base entries and adds the overlay's new ones).
                var entries = ImmutableArray.CreateBuilder<MappingEntry>(b.Count + o.Count);
                foreach (var entry in b.Entries)
                {
                    if (!o.TryGetEntry(entry.Name, out var theirs))
                    {
                        if (MergeTags.Clean(entry.Value) is { } kept)
                        {
                            entries.Add(new MappingEntry(entry.Key, kept));
                        }

                        continue;
                    }

                    var merged = theirs.Value.HasTag(MergeTags.Reset) || theirs.Value.HasTag(MergeTags.Override)
                        || entry.Value is not SequenceNode bs || theirs.Value is not SequenceNode os
                        ? Own(theirs.Value)
                        : MergeUnique(bs, os, ItemKey.Exact);
                    if (merged is not null)
                    {
                        entries.Add(new MappingEntry(entry.Key, merged));
                    }
                }

                foreach (var entry in o.Entries)
                {
                    if (!b.ContainsKey(entry.Name) && Own(entry.Value) is { } added)
                    {
                        entries.Add(new MappingEntry(entry.Key, added));
                    }
                }

                return new MappingNode(entries.ToImmutable(), b.Location);
            case (SequenceNode b, SequenceNode o):
                return MergeUnique(b, o, ItemKey.Exact);
            default:
                return MergeDefault(baseValue, overlay);
        }
    }

    private ComposeNode? MergeLogging(MappingNode baseValue, MappingNode overlay)
    {
        // compose-go: options are merged only for the same driver; a different driver brings its own options.
        if (baseValue["driver"] is ScalarNode { IsNull: false } baseDriver
            && overlay["driver"] is ScalarNode { IsNull: false } overlayDriver
            && !baseDriver.SameValueAs(overlayDriver))
        {
            return Own(overlay);
        }

        return MergeMappings(baseValue, overlay, overlayEntriesWin: false);
    }

    private static ComposeNode BuildAsMapping(ComposeNode build)
    {
        if (build is ScalarNode { IsNull: false } context)
        {
            return new MappingNode([new MappingEntry(ScalarNode.String("context", context.Location), context.WithoutTag())], context.Location, build.Tag);
        }

        return build;
    }

    private ComposeNode? MergeModels(ComposeNode baseValue, ComposeNode overlay)
    {
        if (baseValue is SequenceNode b && overlay is SequenceNode o)
        {
            return MergeUnique(b, o, ItemKey.Exact);
        }

        return MergeDefault(ModelsAsMapping(baseValue), ModelsAsMapping(overlay));
    }

    private static ComposeNode ModelsAsMapping(ComposeNode models)
    {
        if (models is not SequenceNode list)
        {
            return models;
        }

        var entries = list.Items
            .OfType<ScalarNode>()
            .Select(name => new MappingEntry(ScalarNode.String(name.AsString(), name.Location), ScalarNode.Null(name.Location)));
        return new MappingNode([.. entries], list.Location, list.Tag);
    }

    private SequenceNode MergeIpamConfig(SequenceNode baseSequence, SequenceNode overlay)
    {
        var items = new List<ComposeNode>(baseSequence.Count + overlay.Count);
        var bySubnet = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in baseSequence.Items)
        {
            if (MergeTags.Clean(item) is not { } cleaned)
            {
                continue;
            }

            if (cleaned is MappingNode m && m["subnet"] is ScalarNode { IsNull: false } subnet)
            {
                bySubnet.TryAdd(subnet.AsString(), items.Count);
            }

            items.Add(cleaned);
        }

        foreach (var item in overlay.Items)
        {
            if (item is MappingNode m && m["subnet"] is ScalarNode { IsNull: false } subnet
                && bySubnet.TryGetValue(subnet.AsString(), out var at) && items[at] is MappingNode existing)
            {
                _path.Add("[]");
                var merged = MergeValue(existing, item);
                _path.RemoveAt(_path.Count - 1);
                if (merged is not null)
                {
                    items[at] = merged;
                }

                continue;
            }

            if (!(item.HasTag(MergeTags.Reset) && !keepOverlayTags) && Own(item) is { } owned)
            {
                items.Add(owned);
            }
        }

        return new SequenceNode([.. items], baseSequence.Location);
    }

    private static void AddCleaned(ImmutableArray<ComposeNode>.Builder items, SequenceNode sequence)
    {
        foreach (var item in sequence.Items)
        {
            if (MergeTags.Clean(item) is { } cleaned)
            {
                items.Add(cleaned);
            }
        }
    }

    private void AddOwned(ImmutableArray<ComposeNode>.Builder items, SequenceNode sequence)
    {
        foreach (var item in sequence.Items)
        {
            if (item.HasTag(MergeTags.Reset) && !keepOverlayTags)
            {
                continue;
            }

            if (Own(item) is { } owned)
            {
                items.Add(owned);
            }
        }
    }
}
