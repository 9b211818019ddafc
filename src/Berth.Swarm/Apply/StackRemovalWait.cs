using Berth.Stacks.Events;
using Docker.DotNet.Models;
using static Berth.Swarm.Apply.StackOwnership;

namespace Berth.Swarm.Apply;

/// <summary>
/// A deploy right after <c>stack rm</c> (without --wait) finds the stack's networks still listed: the engine removes a
/// network only once the removed services' tasks have stopped, and a service created on it then fails with "network
/// not found". So when the stack has no service but its networks remain while its tasks are still stopping, wait
/// (bounded) for the removal to finish and read the engine again; past the bound, fail with a hint.
/// </summary>
internal static class StackRemovalWait
{
    /// <summary>After the last task went, how long a network being removed may take to disappear.</summary>
    private static readonly TimeSpan s_networkGrace = TimeSpan.FromSeconds(5);

    public static async Task<SwarmState> WaitAsync(EngineCalls engine, string stack, IReadOnlyCollection<string> plannedNetworks, SwarmState state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var lingering = Lingering(state.Networks, stack, plannedNetworks);
        if (lingering.Count == 0 || state.Services.Any(s => Owned(s.Spec?.Labels, stack)))
        {
            return state;
        }

        var filter = StackFilter(stack);
        var deadline = DateTime.UtcNow + timeout;
        DateTime? tasksGone = null;
        string? reported = null;
        while (true)
        {
            var tasks = await engine.Read(c => c.Tasks.ListAsync(new TasksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
            var networks = await engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
            lingering = Lingering(networks, stack, plannedNetworks);
            if (tasks.Count == 0 && reported is null)
            {
                // Nothing is stopping: these are networks the stack kept (or another tool left), not a removal in progress.
                return state;
            }

            var now = DateTime.UtcNow;
            tasksGone = tasks.Count == 0 ? tasksGone ?? now : null;
            if (lingering.Count == 0 || (tasksGone is { } gone && now - gone >= s_networkGrace))
            {
                return await SwarmState.ReadAsync(engine, cancellationToken).ConfigureAwait(false);
            }

            if (now >= deadline)
            {
                throw new SwarmEngineException(
                    $"stack {stack} is still being removed: network {string.Join(", ", lingering)} cannot be reused while {tasks.Count} task(s) of its removed services are stopping (waited {timeout.TotalSeconds:0}s). "
                    + $"hint: wait for a removal to finish with 'berth stack rm --wait {stack}', then deploy again");
            }

            var pending = new PreviousRemovalPending(stack, tasks.Count, [.. lingering]);
            var key = $"{pending.Tasks} {string.Join(",", pending.Networks)}";
            if (key != reported)
            {
                engine.Publish(pending);
                reported = key;
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<string> Lingering(IEnumerable<NetworkResponse> networks, string stack, IReadOnlyCollection<string> planned)
        => [.. networks.Where(n => Owned(n.Labels, stack) && planned.Contains(n.Name)).Select(n => n.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
