using System.Collections.Immutable;
using Berth.Stacks.Events;
using Berth.Swarm.Apply.Engine;
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
            if (await RemoveAsync(engine, "service", service.Spec!.Name!, c => c.Swarm.RemoveServiceAsync(service.ID, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"service {service.Spec!.Name!}");
            }
        }

        var secrets = await engine.Read(c => c.Secrets.ListAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var secret in secrets.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            if (await RemoveAsync(engine, "secret", secret.Spec!.Name!, c => c.Secrets.DeleteAsync(secret.ID, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"secret {secret.Spec!.Name!}");
            }
        }

        var configs = await engine.Read(c => c.Configs.ListConfigsAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var config in configs.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            if (await RemoveAsync(engine, "config", config.Spec!.Name!, c => c.Configs.RemoveConfigAsync(config.ID, cancellationToken)).ConfigureAwait(false))
            {
                removed.Add($"config {config.Spec!.Name!}");
            }
        }

        var networks = await engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
        var retry = new List<NetworkResponse>();
        foreach (var network in networks.Where(n => Owned(n.Labels, stack)).GroupBy(n => n.ID, StringComparer.Ordinal).Select(g => g.First()).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            engine.Publish(new ObjectWriting(ObjectStep.Remove, "network", network.Name));
            if (await TryDeleteNetworkAsync(engine, network, failIfInUse: !wait, cancellationToken).ConfigureAwait(false))
            {
                removed.Add("network " + network.Name);
            }
            else
            {
                retry.Add(network);
            }
        }

        if (wait)
        {
            await WaitForRemovalAsync(engine, stack, retry, removed, timeout, cancellationToken).ConfigureAwait(false);
        }

        return removed.ToImmutable();
    }

    /// <summary>
    /// Until no task of the stack is left and its networks are gone (a network still held by stopping tasks is retried).
    /// Prints a line only when what is left changes, so redirected output stays short; past the timeout it is an error.
    /// </summary>
    private static async Task WaitForRemovalAsync(EngineCalls engine, string stack, List<NetworkResponse> retry, ImmutableArray<string>.Builder removed, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var filter = StackFilter(stack);
        var deadline = DateTime.UtcNow + timeout;
        string? reported = null;
        while (true)
        {
            foreach (var network in retry.ToList())
            {
                if (await TryDeleteNetworkAsync(engine, network, failIfInUse: false, cancellationToken).ConfigureAwait(false))
                {
                    removed.Add("network " + network.Name);
                    retry.Remove(network);
                }
            }

            var tasks = await engine.Read(c => c.Tasks.ListAsync(new TasksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
            var networks = await engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
            var left = networks.Where(n => Owned(n.Labels, stack)).Select(n => n.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (tasks.Count == 0 && left.Count == 0)
            {
                engine.Publish(new StackRemoved(stack));
                return;
            }

            var pending = new RemovalPending(stack, tasks.Count, [.. left]);
            var line = StackEventText.Left(pending.Tasks, pending.Networks);
            if (DateTime.UtcNow >= deadline)
            {
                throw new SwarmEngineException($"stack {stack} was not fully removed within {timeout.TotalSeconds:0}s: {line} still present. hint: run 'berth stack rm --wait {stack}' again, or use a longer --timeout");
            }

            if (line != reported)
            {
                engine.Publish(pending);
                reported = line;
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when removed or already gone (another removal won the race: the goal is met, not an error).</summary>
    private static async Task<bool> TryDeleteNetworkAsync(EngineCalls engine, NetworkResponse network, bool failIfInUse, CancellationToken cancellationToken)
    {
        try
        {
            await engine.Write(c => c.Networks.DeleteNetworkAsync(network.ID, cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException ex) when (SwarmEngine.IsNotFound(ex))
        {
            return true;
        }
        catch (DockerApiException) when (!failIfInUse)
        {
            // Still held by tasks that are stopping ("active endpoints"): the wait retries it.
            return false;
        }
    }

    /// <summary>Removes one object; a 404 means it is already gone (counted as removed), other refusals are reported, never fatal.</summary>
    private static async Task<bool> RemoveAsync(EngineCalls engine, string kind, string name, Func<EngineClient, Task> call)
    {
        try
        {
            engine.Publish(new ObjectWriting(ObjectStep.Remove, kind, name));
            await engine.Write(call).ConfigureAwait(false);
            return true;
        }
        catch (DockerApiException ex) when (SwarmEngine.IsNotFound(ex))
        {
            return true;
        }
        catch (DockerApiException ex)
        {
            engine.Publish(new ObjectWriteFailed(ObjectStep.Remove, kind, name, SwarmEngine.RefusalMessage(ex)));
            return false;
        }
    }
}
