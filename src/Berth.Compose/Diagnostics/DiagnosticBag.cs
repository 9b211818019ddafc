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
            // Ordering.Stable, not OrderBy/ThenBy: those are generic virtual calls Native AOT resolves at run time.
            var ordered = Ordering.Stable(_items, static (a, b) =>
            {
                var byFile = string.CompareOrdinal(a.Location.File, b.Location.File);
                if (byFile != 0)
                {
                    return byFile;
                }

                var byLine = a.Location.Line.CompareTo(b.Location.Line);
                return byLine != 0 ? byLine : a.Location.Column.CompareTo(b.Location.Column);
            });

            var seen = new HashSet<Diagnostic>(ordered.Count);
            var result = ImmutableArray.CreateBuilder<Diagnostic>(ordered.Count);
            foreach (var diagnostic in ordered)
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
