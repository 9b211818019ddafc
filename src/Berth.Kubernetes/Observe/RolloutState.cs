namespace Berth.Kubernetes.Observe;

/// <summary>
/// Where one workload's rollout stands, as <c>kubectl rollout status</c> judges it: ready (or completed) replicas of
/// those desired, a short state (<c>updating 1/3</c>, <c>ready</c>, <c>complete</c>) and whether it is done or failed.
/// </summary>
internal sealed record RolloutState(int Ready, int Desired, string State, bool Done, bool Failed)
{
    public static RolloutState Missing { get; } = new(0, 0, "missing", Done: false, Failed: false);
}
