using System.Collections.Immutable;
using System.Globalization;

namespace Berth.Kubernetes.Observe;

/// <summary>
/// The lines that explain an unfinished rollout: per service that is not done, its state or pod problem with its
/// ready count, then other kinds of pod problem (one line per reason), then its recent Warning events (<c>reason: message</c>, newest
/// first). Only reasons and messages from the API appear; no object content is ever printed.
/// </summary>
internal static class RolloutFailures
{
    public static ImmutableArray<string> Lines(IEnumerable<ServiceRollout> services, Func<string, ImmutableArray<string>> warnings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(warnings);
        var lines = ImmutableArray.CreateBuilder<string>();
        foreach (var service in services.Where(s => !s.Progress.Done))
        {
            var counts = string.Create(CultureInfo.InvariantCulture, $"{service.Rollout.Ready}/{service.Rollout.Desired} ready");
            lines.Add($"{service.Service}: {service.Progress.State} ({counts})");
            // Pods of one service usually share one problem; other kinds of problem get a line each.
            var shown = service.Problems.FirstOrDefault(p => p.Text == service.Progress.State)?.Reason;
            foreach (var other in service.Problems.Where(p => p.Reason != shown).DistinctBy(p => p.Reason, StringComparer.Ordinal))
            {
                lines.Add($"{service.Service}: {other.Text}");
            }

            foreach (var warning in warnings(service.Service))
            {
                lines.Add($"{service.Service}: event {warning}");
            }
        }

        return lines.ToImmutable();
    }
}
