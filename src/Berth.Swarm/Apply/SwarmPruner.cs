using System.Collections.Immutable;
using Berth.Stacks.Events;

namespace Berth.Swarm.Apply;

/// <summary>
/// Applies a plan's removals: services first (so secrets, configs and networks are free), then secrets, configs,
/// networks. A service removal failing is fatal; the rest is cleanup and only reported.
/// </summary>
internal static class SwarmPruner
{
    public static async Task<ImmutableArray<string>> PruneAsync(EngineCalls engine, DeployPlan plan, CancellationToken cancellationToken)
    {
        var removed = ImmutableArray.CreateBuilder<string>();
        foreach (var service in plan.Of("service", ChangeAction.Remove))
        {
            engine.Publish(new ObjectWriting(ObjectStep.Remove, "service", service.Name));
            await engine.Write(c => c.Swarm.RemoveServiceAsync(service.Id!, cancellationToken)).ConfigureAwait(false);
            removed.Add(service.Name);
        }

        foreach (var secret in plan.Of("secret", ChangeAction.Remove))
        {
            if (await engine.TryRemove("secret", secret.Name, c => c.Secrets.DeleteAsync(secret.Id!, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"secret {secret.Name}");
            }
        }

        foreach (var config in plan.Of("config", ChangeAction.Remove))
        {
            if (await engine.TryRemove("config", config.Name, c => c.Configs.RemoveConfigAsync(config.Id!, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"config {config.Name}");
            }
        }

        foreach (var network in plan.Of("network", ChangeAction.Remove))
        {
            if (await engine.TryRemove("network", network.Name, c => c.Networks.DeleteNetworkAsync(network.Id!, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"network {network.Name}");
            }
        }

        return removed.ToImmutable();
    }
}
