using System.Collections.Immutable;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Yaml;

/// <summary>A YAML sequence.</summary>
public sealed class SequenceNode : ComposeNode
{
    public SequenceNode(ImmutableArray<ComposeNode> items, SourceLocation location, string? tag = null)
        : base(location, tag, 1 + SumWeights(items))
    {
        Items = items;
    }

    public ImmutableArray<ComposeNode> Items { get; }

    public int Count => Items.Length;

    public ComposeNode this[int index] => Items[index];

    public SequenceNode WithItems(IEnumerable<ComposeNode> items) => new([.. items], Location, Tag);

    public override ComposeNode WithoutTag() => Tag is null ? this : new SequenceNode(Items, Location);

    public override bool SameValueAs(ComposeNode other)
    {
        if (other is not SequenceNode s || s.Items.Length != Items.Length)
        {
            return false;
        }

        for (var i = 0; i < Items.Length; i++)
        {
            if (!Items[i].SameValueAs(s.Items[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static long SumWeights(ImmutableArray<ComposeNode> items)
    {
        long total = 0;
        foreach (var item in items)
        {
            total = checked(total + item.Weight);
        }

        return total;
    }
}
