using Prometheus;

namespace Berth.Controller.Reconcile;

/// <summary>The controller's metrics, on prometheus-net's default registry (the host serves it at /metrics).</summary>
internal static class ControllerMetrics
{
    public static readonly Counter Reconciles = Metrics.CreateCounter(
        "berth_controller_reconciles_total", "Stack reconciles, by result (success, failure, error).", new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter Errors = Metrics.CreateCounter(
        "berth_controller_reconcile_errors_total", "Reconciles that threw or must be retried.");

    public static readonly Gauge QueueDepth = Metrics.CreateGauge(
        "berth_controller_queue_depth", "Stacks waiting in the work queue.");

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "berth_controller_reconcile_duration_seconds", "How long one stack reconcile took.", new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });
}
