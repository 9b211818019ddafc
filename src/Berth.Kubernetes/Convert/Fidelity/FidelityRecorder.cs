using Berth.Compose;
using Berth.Compose.Diagnostics;

namespace Berth.Kubernetes.Convert.Fidelity;

/// <summary>
/// Collects the fidelity report and, for every key that is not mapped exactly, a warning diagnostic at the
/// key's file:line, so nothing is dropped silently. One entry per (service, key): the first report wins,
/// which lets specific handlers override the default rule of <see cref="ServiceKeyRules"/>.
/// </summary>
internal sealed class FidelityRecorder
{
    private readonly List<FidelityEntry> _entries = [];
    private readonly HashSet<(string Service, string Key)> _seen = [];
    private readonly DiagnosticBag _diagnostics;

    public FidelityRecorder(DiagnosticBag diagnostics)
    {
        _diagnostics = diagnostics;
    }

    public bool Has(string service, string key) => _seen.Contains((service, key));

    public void Mapped(string service, string key, string detail, SourceLocation location)
        => Report(service, key, FidelityOutcome.Mapped, detail, location);

    public void Approximated(string service, string key, string detail, SourceLocation location)
        => Report(service, key, FidelityOutcome.Approximated, detail, location);

    public void Unsupported(string service, string key, string detail, SourceLocation location)
        => Report(service, key, FidelityOutcome.Unsupported, detail, location);

    public void Ignored(string service, string key, string detail, SourceLocation location)
        => Report(service, key, FidelityOutcome.Ignored, detail, location);

    public void Report(string service, string key, FidelityOutcome outcome, string detail, SourceLocation location)
    {
        if (!_seen.Add((service, key)))
        {
            return;
        }

        _entries.Add(new FidelityEntry(service, key, outcome, detail, location));
        if (outcome == FidelityOutcome.Mapped)
        {
            return;
        }

        var (code, verb) = outcome switch
        {
            FidelityOutcome.Approximated => (KubernetesDiagnosticCodes.Approximated, "approximated"),
            FidelityOutcome.Unsupported => (KubernetesDiagnosticCodes.Unsupported, "not supported on Kubernetes"),
            _ => (KubernetesDiagnosticCodes.Ignored, "ignored"),
        };
        var path = service.Length == 0 ? key : $"services.{service}.{key}";
        _diagnostics.Warning(code, $"'{key}' {verb}: {detail}", location, path);
    }

    /// <summary>Entries ordered by service, then key, so the report is stable.</summary>
    public IEnumerable<FidelityEntry> Entries()
        => Ordering.Stable(_entries, static (a, b) => string.CompareOrdinal(a.Service, b.Service) is var service && service != 0 ? service : string.CompareOrdinal(a.Key, b.Key));
}
