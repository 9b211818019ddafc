using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Berth.Compose.Diagnostics;

namespace Berth.Policy.Evaluation;

/// <summary>
/// The violations of one evaluation, grown in pooled arrays: a project where every service breaks several rules has
/// tens of thousands, and a List's doubling would leave large-object-heap garbage (and a full GC) on every run. The
/// only array allocated is the result, at its exact size.
/// </summary>
internal sealed class ViolationBuffer : IDisposable
{
    private Diagnostic[] _items = ArrayPool<Diagnostic>.Shared.Rent(64);

    public int Count { get; private set; }

    public void Add(Diagnostic diagnostic)
    {
        if (Count == _items.Length)
        {
            var larger = ArrayPool<Diagnostic>.Shared.Rent(_items.Length * 2);
            Array.Copy(_items, larger, Count);
            ArrayPool<Diagnostic>.Shared.Return(_items, clearArray: true);
            _items = larger;
        }

        _items[Count++] = diagnostic;
    }

    /// <summary>A stable insertion sort of the items from <paramref name="start"/> (one service's few violations).</summary>
    public void SortFrom(int start, Comparison<Diagnostic> comparison)
    {
        for (var i = start + 1; i < Count; i++)
        {
            var item = _items[i];
            var j = i - 1;
            while (j >= start && comparison(_items[j], item) > 0)
            {
                _items[j + 1] = _items[j];
                j--;
            }

            _items[j + 1] = item;
        }
    }

    public bool IsSorted(Comparison<Diagnostic> comparison)
    {
        for (var i = 1; i < Count; i++)
        {
            if (comparison(_items[i - 1], _items[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    public ImmutableArray<Diagnostic> ToImmutable()
        => ImmutableCollectionsMarshal.AsImmutableArray(_items.AsSpan(0, Count).ToArray());

    public IEnumerable<Diagnostic> Items()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return _items[i];
        }
    }

    public void Dispose()
    {
        ArrayPool<Diagnostic>.Shared.Return(_items, clearArray: true);
        _items = [];
        Count = 0;
    }
}
