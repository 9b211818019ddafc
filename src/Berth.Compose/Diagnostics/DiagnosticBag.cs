using System.Collections.Immutable;

namespace Berth.Compose.Diagnostics;

/// <summary>
/// Collects every diagnostic a stage finds, so that users see all their mistakes at once
/// instead of fixing them one run at a time.
/// </summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];
    private readonly Lock _gate = new();

    public bool HasErrors
    {
        get
        {
            lock (_gate)
            {
                return _items.Exists(d => d.Severity == Severity.Error);
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public void Add(Diagnostic diagnostic)
    {
        lock (_gate)
        {
            _items.Add(diagnostic);
        }
    }

    public void Error(string code, string message, SourceLocation location, string? path = null, string? hint = null)
        => Add(new Diagnostic(code, Severity.Error, message, location, path, hint));

    public void Warning(string code, string message, SourceLocation location, string? path = null, string? hint = null)
        => Add(new Diagnostic(code, Severity.Warning, message, location, path, hint));

    /// <summary>All diagnostics, ordered by file, line and column so output is stable.</summary>
    public ImmutableArray<Diagnostic> ToImmutable()
    {
        lock (_gate)
        {
            // A stable sort by location, written out: a LINQ OrderBy/ThenBy chain resolves generic virtual methods at
            // run time, which a Native AOT start pays for on every command.
            var ordered = new List<(Diagnostic Diagnostic, int Index)>(_items.Count);
            for (var i = 0; i < _items.Count; i++)
            {
                ordered.Add((_items[i], i));
            }

            ordered.Sort(static (a, b) =>
            {
                var byFile = string.CompareOrdinal(a.Diagnostic.Location.File, b.Diagnostic.Location.File);
                if (byFile != 0)
                {
                    return byFile;
                }

                var byLine = a.Diagnostic.Location.Line.CompareTo(b.Diagnostic.Location.Line);
                if (byLine != 0)
                {
                    return byLine;
                }

                var byColumn = a.Diagnostic.Location.Column.CompareTo(b.Diagnostic.Location.Column);
                return byColumn != 0 ? byColumn : a.Index.CompareTo(b.Index);
            });

            var seen = new HashSet<Diagnostic>(ordered.Count);
            var result = ImmutableArray.CreateBuilder<Diagnostic>(ordered.Count);
            foreach (var (diagnostic, _) in ordered)
            {
                if (seen.Add(diagnostic))
                {
                    result.Add(diagnostic);
                }
            }

            return result.ToImmutable();
        }
    }
}
