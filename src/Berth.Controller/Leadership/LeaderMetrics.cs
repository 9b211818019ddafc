using Prometheus;

namespace Berth.Controller.Leadership;

/// <summary>
/// client-go's leader-election metrics (tools/leaderelection/metrics.go, registered by component-base as
/// <c>leader_election_master_status</c> and <c>leader_election_slowpath_total</c>), on prometheus-net.
/// </summary>
internal sealed class LeaderMetrics
{
    private readonly Gauge _masterStatus;
    private readonly Counter _slowPath;

    /// <param name="registry">Where the metrics go; null: prometheus-net's default registry, served at /metrics.</param>
    public LeaderMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _masterStatus = factory.CreateGauge(
            "leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
            new GaugeConfiguration { LabelNames = ["name"] });
        _slowPath = factory.CreateCounter(
            "leader_election_slowpath_total",
            "Total number of slow path exercised in renewing leader leases. 'name' is the string used to identify the lease.",
            new CounterConfiguration { LabelNames = ["name"] });
    }

    public void LeaderOn(string name) => _masterStatus.WithLabels(name).Set(1);

    public void LeaderOff(string name) => _masterStatus.WithLabels(name).Set(0);

    public void SlowPathExercised(string name) => _slowPath.WithLabels(name).Inc();
}
