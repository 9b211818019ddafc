using System.Collections.Immutable;
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
                engine.Report($"Cannot roll back service {name}: the engine has no previous spec for it");
                continue;
            }

            engine.Report($"Rolling back service {name}");
            await engine.Write(c => c.Swarm.UpdateServiceAsync(service.ID, new ServiceUpdateParameters
            {
                Service = service.Spec ?? throw new SwarmEngineException($"service {name} has no spec"),
                Version = (long)(service.Version?.Index ?? 0),
                Rollback = "previous",
            }, cancellationToken)).ConfigureAwait(false);
            rolledBack.Add(name);
        }

        return rolledBack.ToImmutable();
    }
}
