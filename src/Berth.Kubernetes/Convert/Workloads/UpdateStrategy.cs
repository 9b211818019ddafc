using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Workloads;

/// <summary>
/// update_config → rolling update. Swarm replaces <c>parallelism</c> tasks at a time (0 = all), stopping the old
/// ones first by default: stop-first → maxUnavailable = parallelism, maxSurge = 0; start-first → maxSurge =
/// parallelism, maxUnavailable = 0. <c>delay</c> and <c>monitor</c> → minReadySeconds (a new pod must stay ready
/// that long before the rollout moves on, which covers both the pause and the watch for failures).
/// </summary>
internal static class UpdateStrategy
{
    public sealed record Result(IntOrString? MaxUnavailable, IntOrString? MaxSurge, int? MinReadySeconds, bool StartFirst);

    public static Result Read(ConversionContext context, ServiceUnit unit)
    {
        var service = unit.ComposeName;
        if (unit.Node.Map("deploy")?.Map("update_config") is not { } update)
        {
            return new Result(null, null, null, false);
        }

        var parallelism = update.Int("parallelism") ?? 1;
        var startFirst = update.Str("order") == "start-first";
        IntOrString step = parallelism == 0 ? "100%" : (int)parallelism;
        IntOrString zero = 0;

        int? minReady = null;
        var delay = GoDuration.TryParse(update.Str("delay"), out var d) ? d : TimeSpan.Zero;
        var monitor = GoDuration.TryParse(update.Str("monitor"), out var m) ? m : TimeSpan.Zero;
        var wait = delay > monitor ? delay : monitor;
        if (wait > TimeSpan.Zero)
        {
            minReady = GoDuration.CeilSeconds(wait);
        }

        if (update.ContainsKey("delay"))
        {
            context.Fidelity.Approximated(service, "deploy.update_config.delay", $"minReadySeconds {minReady}: each new pod must be ready that long before the next is replaced", update.LocationOf("delay"));
        }

        if (update.ContainsKey("monitor"))
        {
            context.Fidelity.Approximated(service, "deploy.update_config.monitor", $"minReadySeconds {minReady}: a pod failing within that time stops the rollout", update.LocationOf("monitor"));
        }

        switch (update.Str("failure_action"))
        {
            case null:
                break;
            case "pause":
                context.Fidelity.Approximated(service, "deploy.update_config.failure_action", "a failing rollout stops progressing and is marked failed after progressDeadlineSeconds, like Swarm's pause", update.LocationOf("failure_action"));
                break;
            case var action:
                context.Fidelity.Unsupported(service, "deploy.update_config.failure_action", $"'{action}': Kubernetes never rolls back or continues on its own; a failing rollout stops (use 'berth' or 'kubectl rollout undo')", update.LocationOf("failure_action"));
                break;
        }

        if (update.ContainsKey("max_failure_ratio"))
        {
            context.Fidelity.Unsupported(service, "deploy.update_config.max_failure_ratio", "Kubernetes has no tolerated failure ratio during a rollout", update.LocationOf("max_failure_ratio"));
        }

        return startFirst ? new Result(zero, step, minReady, true) : new Result(step, zero, minReady, false);
    }
}
