namespace Berth.Compose;

/// <summary>
/// Stable sorting without LINQ's OrderBy/ThenBy: ThenBy and a Select after an ordering are generic virtual calls,
/// which Native AOT resolves at run time on first use, a cost every command that loads or converts paid at start-up.
/// </summary>
public static class Ordering
{
    /// <summary>The items of <paramref name="source"/> sorted by <paramref name="comparison"/>; equal items keep their order.</summary>
    public static List<T> Stable<T>(IEnumerable<T> source, Comparison<T> comparison)
    {
        var indexed = new List<(T Item, int Index)>();
        foreach (var item in source)
        {
            indexed.Add((item, indexed.Count));
        }

        indexed.Sort((a, b) => comparison(a.Item, b.Item) is var order && order != 0 ? order : a.Index.CompareTo(b.Index));
        var sorted = new List<T>(indexed.Count);
        foreach (var (item, _) in indexed)
        {
            sorted.Add(item);
        }

        return sorted;
    }
}
