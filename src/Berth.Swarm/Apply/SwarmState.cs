using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>What the engine holds before a deploy: read once, up front, so every check happens before the first write.</summary>
internal sealed record SwarmState(IList<SwarmService> Services, IList<NetworkResponse> Networks, IList<Secret> Secrets, IList<SwarmConfig> Configs)
{
    public static async Task<SwarmState> ReadAsync(EngineCalls engine, CancellationToken cancellationToken)
    {
        // Four independent reads: issued together, so a deploy waits for the slowest, not for their sum.
        var services = engine.Read(c => c.Swarm.ListServicesAsync(new ServiceListParameters(), cancellationToken));
        var networks = engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken));
        var secrets = engine.Read(c => c.Secrets.ListAsync(cancellationToken));
        var configs = engine.Read(c => c.Configs.ListConfigsAsync(cancellationToken));
        await Task.WhenAll(services, networks, secrets, configs).ConfigureAwait(false);

        // A stack's history configs are not stack resources: never planned, pruned or counted as old versions.
        var resources = (await configs.ConfigureAwait(false)).Where(c => !Berth.Stacks.StackRevisionLabels.IsRevision(c.Spec?.Labels)).ToList();
        return new SwarmState(await services.ConfigureAwait(false), await networks.ConfigureAwait(false), await secrets.ConfigureAwait(false), resources);
    }
}
