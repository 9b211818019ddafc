using System.Collections.Immutable;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;

namespace Berth.Console.Stacks;

/// <summary>One line of a unified diff: ' ' kept, '-' removed, '+' added, '@' a hunk header. Public: a component parameter (StackDetailDiffView) carries it.</summary>
public sealed record DiffLine(char Kind, string Text);

/// <summary>A unified diff (as <c>diff -u</c> shows it, three lines of context) of two texts, from DiffPlex's line diff.</summary>
internal static class StackDetailDiff
{
    private const int Context = 3;

    public static ImmutableArray<DiffLine> Unified(string from, string to)
    {
        var lines = InlineDiffBuilder.Diff(from, to, ignoreWhiteSpace: false).Lines
            .Where(l => l.Type != ChangeType.Imaginary)
            .Select(l => (Kind: l.Type switch { ChangeType.Deleted => '-', ChangeType.Inserted => '+', _ => ' ' }, l.Text))
            .ToList();
        var changed = lines.Select((l, i) => (l.Kind, i)).Where(x => x.Kind != ' ').Select(x => x.i).ToList();
        var result = ImmutableArray.CreateBuilder<DiffLine>();
        var next = 0;
        while (next < changed.Count)
        {
            // A hunk: from the first change's context to the last change whose context touches the next change's.
            var start = Math.Max(0, changed[next] - Context);
            var last = next;
            while (last + 1 < changed.Count && changed[last + 1] - changed[last] <= 2 * Context)
            {
                last++;
            }

            var end = Math.Min(lines.Count, changed[last] + Context + 1);
            var fromStart = lines.Take(start).Count(l => l.Kind != '+');
            var toStart = lines.Take(start).Count(l => l.Kind != '-');
            var hunk = lines.Skip(start).Take(end - start).ToList();
            var fromCount = hunk.Count(l => l.Kind != '+');
            var toCount = hunk.Count(l => l.Kind != '-');
            result.Add(new DiffLine('@', $"@@ -{Position(fromStart, fromCount)} +{Position(toStart, toCount)} @@"));
            result.AddRange(hunk.Select(l => new DiffLine(l.Kind, l.Text)));
            next = last + 1;
        }

        return result.ToImmutable();
    }

    // diff -u numbers lines from 1 and names an empty range by the line before it.
    private static string Position(int before, int count) => count == 0 ? $"{before},0" : count == 1 ? $"{before + 1}" : $"{before + 1},{count}";
}
