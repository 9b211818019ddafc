using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>
/// healthcheck → liveness and readiness probes with Docker's defaults (interval 30s, timeout 30s, retries 3):
/// Docker restarts unhealthy Swarm tasks (liveness) and routes only to healthy ones (readiness).
/// <c>start_period</c> → a startup probe polling every <c>start_interval</c> (Docker default 5s) for the
/// start period plus the retries, since Docker does not count failures during the start period.
/// </summary>
internal static class ProbeBuilder
{
    public static (V1Probe? Liveness, V1Probe? Readiness, V1Probe? Startup) Build(ConversionContext context, ServiceUnit unit)
    {
        if (unit.Node.Map("healthcheck") is not { } health)
        {
            return (null, null, null);
        }

        var service = unit.ComposeName;
        if (health.Bool("disable"))
        {
            context.Fidelity.Mapped(service, "healthcheck", "disabled: no probes", unit.Node.LocationOf("healthcheck"));
            return (null, null, null);
        }

        var test = health.Strings("test").ToList();
        if (test.Count == 0 || test[0] == "NONE")
        {
            context.Fidelity.Mapped(service, "healthcheck", "test NONE: no probes", unit.Node.LocationOf("healthcheck"));
            return (null, null, null);
        }

        List<string> command = test[0] switch
        {
            "CMD" => test.Skip(1).ToList(),
            "CMD-SHELL" => ["/bin/sh", "-c", string.Join(' ', test.Skip(1))],
            _ => test,
        };

        var interval = Seconds(health.Str("interval"), 30);
        var timeout = Seconds(health.Str("timeout"), 30);
        var retries = (int)(health.Int("retries") ?? 3);
        V1Probe Probe() => new()
        {
            Exec = new V1ExecAction { Command = command },
            PeriodSeconds = interval,
            TimeoutSeconds = timeout,
            FailureThreshold = retries,
        };

        V1Probe? startup = null;
        if (GoDuration.TryParse(health.Str("start_period"), out var startPeriod) && startPeriod > TimeSpan.Zero)
        {
            var startInterval = Seconds(health.Str("start_interval"), 5);
            startup = new V1Probe
            {
                Exec = new V1ExecAction { Command = command },
                PeriodSeconds = startInterval,
                TimeoutSeconds = timeout,
                FailureThreshold = GoDuration.CeilSeconds(startPeriod) / startInterval + (GoDuration.CeilSeconds(startPeriod) % startInterval == 0 ? 0 : 1) + retries,
            };
        }

        context.Fidelity.Mapped(service, "healthcheck", $"exec liveness and readiness probes every {interval}s (timeout {timeout}s, {retries} failures){(startup is null ? string.Empty : "; startup probe for start_period")}", unit.Node.LocationOf("healthcheck"));
        return (Probe(), Probe(), startup);
    }

    private static int Seconds(string? text, int fallback)
        => GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero ? Math.Max(1, GoDuration.CeilSeconds(value)) : fallback;
}
