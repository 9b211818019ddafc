using System.Collections.Immutable;
using Berth.Stacks.Events;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// Restores the previous spec of services a deploy updated, as <c>docker service rollback</c> does (ServiceUpdate
/// with rollback=previous): the engine keeps that spec itself, so nothing Berth remembered can be stale.
/// </summary>
internal static class ServiceRollback
{
    public static async Task<ImmutableArray<string>> RollBackAsync(EngineCalls engine, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var rolledBack = ImmutableArray.CreateBuilder<string>();
        foreach (var name in names)
        {
            var service = await engine.Read(c => c.Swarm.InspectServiceAsync(name, cancellationToken)).ConfigureAwait(false);
            if (service.PreviousSpec is null)
            {
                engine.Publish(new RollbackUnavailable(name));
                continue;
            }

            engine.Publish(new RollbackStarting(name));
            var spec = service.Spec ?? throw new SwarmEngineException($"service {name} has no spec");
            await engine.UpdateServiceAsync(service.ID, service.Version?.Index, version => new ServiceUpdateParameters
            {
                Service = spec,
                Version = version,
                Rollback = "previous",
            }, cancellationToken).ConfigureAwait(false);
            rolledBack.Add(name);
        }

        return rolledBack.ToImmutable();
    }
}
