using System.Collections.Immutable;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>
/// The merge tags of the specification and how a document that is not merged onto anything applies them:
/// a <c>!reset</c> value disappears (there is nothing to reset, so the key is simply absent, as in compose-go)
/// and every other tag is dropped.
/// </summary>
internal static class MergeTags
{
    public const string Reset = "!reset";
    public const string Override = "!override";

    /// <summary>Returns <paramref name="node"/> without tags and without <c>!reset</c> values; null when the node itself is reset.</summary>
    /// <remarks>Untouched subtrees are returned as the same instances, so cleaning a large tag-free tree allocates nothing.</remarks>
    public static ComposeNode? Clean(ComposeNode node)
    {
        if (node.HasTag(Reset))
        {
            return null;
        }

        switch (node)
        {
            case MappingNode mapping:
                return CleanMapping(mapping);
            case SequenceNode sequence:
                return CleanSequence(sequence);
            default:
                return node.WithoutTag();
        }
    }

    private static MappingNode CleanMapping(MappingNode mapping)
    {
        ImmutableArray<MappingEntry>.Builder? changed = null;
        var entries = mapping.Entries;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            var cleaned = Clean(entry.Value);
            if (changed is null && ReferenceEquals(cleaned, entry.Value))
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

            if (cleaned is not null)
            {
                changed.Add(new MappingEntry(entry.Key, cleaned));
            }
        }

        if (changed is null)
        {
            return (MappingNode)mapping.WithoutTag();
        }

        return new MappingNode(changed.ToImmutable(), mapping.Location);
    }

    private static SequenceNode CleanSequence(SequenceNode sequence)
    {
        ImmutableArray<ComposeNode>.Builder? changed = null;
        var items = sequence.Items;
        for (var i = 0; i < items.Length; i++)
        {
            var cleaned = Clean(items[i]);
            if (changed is null && ReferenceEquals(cleaned, items[i]))
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

            if (cleaned is not null)
            {
                changed.Add(cleaned);
            }
        }

        if (changed is null)
        {
            return (SequenceNode)sequence.WithoutTag();
        }

        return new SequenceNode(changed.ToImmutable(), sequence.Location);
    }
}
