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
            return [.. _items
                .Select((d, i) => (d, i))
                .OrderBy(x => x.d.Location.File, StringComparer.Ordinal)
                .ThenBy(x => x.d.Location.Line)
                .ThenBy(x => x.d.Location.Column)
                .ThenBy(x => x.i)
                .Select(x => x.d)
                .Distinct()];
        }
    }
}
