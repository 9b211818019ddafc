using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>What the engine holds before a deploy: read once, up front, so every check happens before the first write.</summary>
internal sealed record SwarmState(IList<SwarmService> Services, IList<NetworkResponse> Networks, IList<Secret> Secrets, IList<SwarmConfig> Configs)
{
    public static async Task<SwarmState> ReadAsync(EngineCalls engine, CancellationToken cancellationToken)
    {
        var services = await engine.Read(c => c.Swarm.ListServicesAsync(new ServiceListParameters(), cancellationToken)).ConfigureAwait(false);
        var networks = await engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken)).ConfigureAwait(false);
        var secrets = await engine.Read(c => c.Secrets.ListAsync(cancellationToken)).ConfigureAwait(false);
        var configs = await engine.Read(c => c.Configs.ListConfigsAsync(cancellationToken)).ConfigureAwait(false);
        return new SwarmState(services, networks, secrets, configs);
    }
}
