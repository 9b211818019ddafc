using System.Collections.Immutable;
using Docker.DotNet;
using Docker.DotNet.Models;
using static Berth.Swarm.Apply.StackOwnership;

namespace Berth.Swarm.Apply;

/// <summary>Removes everything carrying the stack's label: services, secrets, configs, then networks (as docker does).</summary>
internal static class SwarmRemover
{
    public static async Task<ImmutableArray<string>> RemoveStackAsync(EngineCalls engine, string stack, bool wait, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await SwarmEngine.RequireManagerAsync(engine.Client, cancellationToken).ConfigureAwait(false);
        var removed = ImmutableArray.CreateBuilder<string>();
        var filter = StackFilter(stack);
        var services = await engine.Read(c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
        foreach (var service in services.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            if (await engine.TryRemove($"service {service.Spec!.Name!}", c => c.Swarm.RemoveServiceAsync(service.ID, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"service {service.Spec!.Name!}");
            }
        }

        var secrets = await engine.Read(c => c.Secrets.ListAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var secret in secrets.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            if (await engine.TryRemove($"secret {secret.Spec!.Name!}", c => c.Secrets.DeleteAsync(secret.ID, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"secret {secret.Spec!.Name!}");
            }
        }

        var configs = await engine.Read(c => c.Configs.ListConfigsAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var config in configs.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            if (await engine.TryRemove($"config {config.Spec!.Name!}", c => c.Configs.RemoveConfigAsync(config.ID, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"config {config.Spec!.Name!}");
            }
        }

        var networks = await engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        foreach (var network in networks.Where(n => Owned(n.Labels, stack)).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            // A network cannot go while tasks still hold endpoints on it ("active endpoints"); with --wait, retry until they are gone.
            while (true)
            {
                try
                {
                    engine.Report($"Removing network {network.Name}");
                    await engine.Write(c => c.Networks.DeleteNetworkAsync(network.ID, cancellationToken)).ConfigureAwait(false);
                    removed.Add("network " + network.Name);
                    break;
                }
                catch (DockerApiException ex) when (wait && DateTime.UtcNow < deadline && !SwarmEngine.IsNotFound(ex))
                {
                    await Task.Delay(500, cancellationToken).ConfigureAwait(false);
                }
                catch (DockerApiException ex) when (SwarmEngine.IsNotFound(ex))
                {
                    break;
                }
            }
        }

        if (wait)
        {
            while (DateTime.UtcNow < deadline)
            {
                var tasks = await engine.Read(c => c.Tasks.ListAsync(new TasksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
                if (tasks.Count == 0)
                {
                    break;
                }

                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }

        return removed.ToImmutable();
    }
}
