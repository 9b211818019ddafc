using System.Collections.Immutable;
using System.Text.Json;
using Berth.Stacks;
using Berth.Swarm.Convert;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>How a deploy behaves.</summary>
public sealed record SwarmDeployOptions
{
    /// <summary>Remove the stack's services, networks, secrets and configs the plan no longer names.</summary>
    public bool Prune { get; init; }

    /// <summary>Return once the writes are done instead of waiting for convergence.</summary>
    public bool Detach { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>What a deploy did; <see cref="Writes"/> counts the mutating Engine API calls it made.</summary>
public sealed record SwarmDeployResult(ImmutableArray<string> Created, ImmutableArray<string> Updated, ImmutableArray<string> Unchanged, ImmutableArray<string> Removed, int Writes, bool Converged, ImmutableArray<string> Failures);

/// <summary>
/// Applies a <see cref="SwarmPlan"/>: creates what is missing, updates only services whose spec hash changed,
/// never touches an object without the stack's label, and waits for convergence unless detached.
/// Order as docker stack: networks, secrets, configs, services; then prune and old secret/config versions.
/// </summary>
public sealed class SwarmDeployer(IDockerClient client, Action<string> progress)
{
    private readonly IDockerClient _client = client;
    private readonly Action<string> _progress = progress;
    private readonly Lock _gate = new();
    private int _writes;

    public async Task<SwarmDeployResult> DeployAsync(SwarmPlan plan, SwarmDeployOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        await SwarmEngine.RequireManagerAsync(_client, cancellationToken).ConfigureAwait(false);
        var stack = plan.Stack;

        // Read everything first and check for collisions, so a conflict is found before the first write.
        var services = await Call(c => c.Swarm.ListServicesAsync(new ServiceListParameters(), cancellationToken)).ConfigureAwait(false);
        var networks = await Call(c => c.Networks.ListNetworksAsync(new NetworksListParameters(), cancellationToken)).ConfigureAwait(false);
        var secrets = await Call(c => c.Secrets.ListAsync(cancellationToken)).ConfigureAwait(false);
        var configs = await Call(c => c.Configs.ListConfigsAsync(cancellationToken)).ConfigureAwait(false);
        CheckCollisions(plan, services, networks, secrets, configs);

        var created = ImmutableArray.CreateBuilder<string>();
        var updated = ImmutableArray.CreateBuilder<string>();
        var unchanged = ImmutableArray.CreateBuilder<string>();
        var removed = ImmutableArray.CreateBuilder<string>();

        foreach (var network in plan.Networks)
        {
            var existing = networks.FirstOrDefault(n => n.Name == network.Name);
            if (network.External)
            {
                if (existing is null && network.Name is not ("host" or "bridge" or "none"))
                {
                    throw new SwarmEngineException($"network \"{network.Name}\" is declared as external, but could not be found. Create it with \"docker network create --driver overlay {network.Name}\"");
                }

                if (existing is not null && existing.Scope != "swarm" && network.Name is not ("host" or "bridge" or "none"))
                {
                    throw new SwarmEngineException($"network \"{network.Name}\" is declared as external, but it is not in the right scope: \"{existing.Scope}\" instead of \"swarm\"");
                }

                continue;
            }

            if (existing is null)
            {
                Report($"Creating network {network.Name}");
                await Write(c => c.Networks.CreateNetworkAsync(network.Create!, cancellationToken)).ConfigureAwait(false);
            }
        }

        var secretIds = secrets.Where(s => s.Spec?.Name is not null).ToDictionary(s => s.Spec!.Name!, s => s.ID, StringComparer.Ordinal);
        foreach (var secret in plan.Secrets.Where(s => !s.External))
        {
            if (!secretIds.ContainsKey(secret.Name))
            {
                Report($"Creating secret {secret.Name}");
                var response = await Write(c => c.Secrets.CreateAsync(secret.Spec!, cancellationToken)).ConfigureAwait(false);
                secretIds[secret.Name] = response.ID;
            }
        }

        var configIds = configs.Where(s => s.Spec?.Name is not null).ToDictionary(s => s.Spec!.Name!, s => s.ID, StringComparer.Ordinal);
        foreach (var config in plan.Configs.Where(s => !s.External))
        {
            if (!configIds.ContainsKey(config.Name))
            {
                Report($"Creating config {config.Name}");
                var response = await Write(c => c.Configs.CreateConfigAsync(new SwarmCreateConfigParameters { Config = config.Spec! }, cancellationToken)).ConfigureAwait(false);
                configIds[config.Name] = response.ID;
            }
        }

        // Services are independent once networks, secrets and configs exist: write them concurrently (a few at a
        // time, so a big stack does not flood the manager), then report in plan order.
        var outcomes = new ServiceOutcome[plan.Services.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Services.Length), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var service = plan.Services[i];
            var existing = services.FirstOrDefault(s => s.Spec?.Name == service.Name);
            if (existing is not null && Label(existing.Spec?.Labels, SwarmLabels.SpecHash) == service.SpecHash)
            {
                outcomes[i] = ServiceOutcome.Unchanged;
                return;
            }

            var spec = WithIds(service.Spec, secretIds, configIds);
            if (existing is null)
            {
                Report($"Creating service {service.Name}");
                await Write(c => c.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, ct)).ConfigureAwait(false);
                outcomes[i] = ServiceOutcome.Created;
            }
            else
            {
                Report($"Updating service {service.Name} (id: {existing.ID})");

                // Keep ForceUpdate so the update itself does not restart tasks whose spec did not change.
                spec.TaskTemplate!.ForceUpdate = existing.Spec?.TaskTemplate?.ForceUpdate ?? 0;
                await Write(c => c.Swarm.UpdateServiceAsync(existing.ID, new ServiceUpdateParameters { Service = spec, Version = (long)(existing.Version?.Index ?? 0) }, ct)).ConfigureAwait(false);
                outcomes[i] = ServiceOutcome.Updated;
            }
        }).ConfigureAwait(false);

        var changed = new List<string>();
        for (var i = 0; i < outcomes.Length; i++)
        {
            var name = plan.Services[i].Name;
            (outcomes[i] switch { ServiceOutcome.Created => created, ServiceOutcome.Updated => updated, _ => unchanged }).Add(name);
            if (outcomes[i] != ServiceOutcome.Unchanged)
            {
                changed.Add(name);
            }
        }

        var owned = (IDictionary<string, string>? labels) => Owned(labels, stack);
        if (options.Prune)
        {
            var wanted = plan.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var service in services.Where(s => owned(s.Spec?.Labels) && !wanted.Contains(s.Spec!.Name!)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
            {
                Report($"Removing service {service.Spec!.Name!}");
                await Write(c => c.Swarm.RemoveServiceAsync(service.ID, cancellationToken)).ConfigureAwait(false);
                removed.Add(service.Spec!.Name!);
            }
        }

        // Old versions of content-addressed secrets and configs: always removed once no service uses them.
        // With --prune, also the stack's secrets and configs the file no longer names at all.
        var secretNames = plan.Secrets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var secretBases = plan.Secrets.Where(s => !s.External).Select(s => s.Spec!.Labels![SwarmLabels.ResourceName]).ToHashSet(StringComparer.Ordinal);
        foreach (var secret in secrets.Where(s => owned(s.Spec?.Labels) && !secretNames.Contains(s.Spec!.Name!)))
        {
            var isOldVersion = s_resourceBase(secret.Spec?.Labels) is { } b && secretBases.Contains(b);
            if (isOldVersion || options.Prune)
            {
                await TryRemove($"secret {secret.Spec!.Name!}", c => c.Secrets.DeleteAsync(secret.ID, cancellationToken), removed).ConfigureAwait(false);
            }
        }

        var configNames = plan.Configs.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var configBases = plan.Configs.Where(s => !s.External).Select(s => s.Spec!.Labels![SwarmLabels.ResourceName]).ToHashSet(StringComparer.Ordinal);
        foreach (var config in configs.Where(s => owned(s.Spec?.Labels) && !configNames.Contains(s.Spec!.Name!)))
        {
            var isOldVersion = s_resourceBase(config.Spec?.Labels) is { } b && configBases.Contains(b);
            if (isOldVersion || options.Prune)
            {
                await TryRemove($"config {config.Spec!.Name!}", c => c.Configs.RemoveConfigAsync(config.ID, cancellationToken), removed).ConfigureAwait(false);
            }
        }

        if (options.Prune)
        {
            var wanted = plan.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var network in networks.Where(n => owned(n.Labels) && !wanted.Contains(n.Name)))
            {
                await TryRemove($"network {network.Name}", c => c.Networks.DeleteNetworkAsync(network.ID, cancellationToken), removed).ConfigureAwait(false);
            }
        }

        var (converged, failures) = options.Detach || changed.Count == 0
            ? (true, ImmutableArray<string>.Empty)
            : await WaitAsync(changed, options, cancellationToken).ConfigureAwait(false);
        return new SwarmDeployResult(created.ToImmutable(), updated.ToImmutable(), unchanged.ToImmutable(), removed.ToImmutable(), _writes, converged, failures);
    }

    private enum ServiceOutcome
    {
        Unchanged,
        Created,
        Updated,
    }

    private static readonly Func<IDictionary<string, string>?, string?> s_resourceBase = labels => Label(labels, SwarmLabels.ResourceName);

    private static string? Label(IDictionary<string, string>? labels, string key)
        => labels is not null && labels.TryGetValue(key, out var value) ? value : null;

    /// <summary>Removes everything carrying the stack's label: services, secrets, configs, then networks (as docker does).</summary>
    public async Task<ImmutableArray<string>> RemoveStackAsync(string stack, bool wait, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await SwarmEngine.RequireManagerAsync(_client, cancellationToken).ConfigureAwait(false);
        var removed = ImmutableArray.CreateBuilder<string>();
        var filter = StackFilter(stack);
        var services = await Call(c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
        foreach (var service in services.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            await TryRemove($"service {service.Spec!.Name!}", c => c.Swarm.RemoveServiceAsync(service.ID, cancellationToken), removed).ConfigureAwait(false);
        }

        var secrets = await Call(c => c.Secrets.ListAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var secret in secrets.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            await TryRemove($"secret {secret.Spec!.Name!}", c => c.Secrets.DeleteAsync(secret.ID, cancellationToken), removed).ConfigureAwait(false);
        }

        var configs = await Call(c => c.Configs.ListConfigsAsync(cancellationToken)).ConfigureAwait(false);
        foreach (var config in configs.Where(s => Owned(s.Spec?.Labels, stack)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            await TryRemove($"config {config.Spec!.Name!}", c => c.Configs.RemoveConfigAsync(config.ID, cancellationToken), removed).ConfigureAwait(false);
        }

        var networks = await Call(c => c.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        foreach (var network in networks.Where(n => Owned(n.Labels, stack)).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            // A network cannot go while tasks still hold endpoints on it ("active endpoints"); with --wait, retry until they are gone.
            while (true)
            {
                try
                {
                    Report($"Removing network {network.Name}");
                    await Write(c => c.Networks.DeleteNetworkAsync(network.ID, cancellationToken)).ConfigureAwait(false);
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
                var tasks = await Call(c => c.Tasks.ListAsync(new TasksListParameters { Filters = filter }, cancellationToken)).ConfigureAwait(false);
                if (tasks.Count == 0)
                {
                    break;
                }

                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }

        return removed.ToImmutable();
    }

    public static IDictionary<string, IDictionary<string, bool>> StackFilter(string stack)
        => new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackLabels.StackNamespace}={stack}"] = true } };

    /// <summary>Only objects whose label says so belong to the stack; names alone never count.</summary>
    public static bool Owned(IDictionary<string, string>? labels, string stack)
        => labels is not null && labels.TryGetValue(StackLabels.StackNamespace, out var value) && value == stack;

    private static void CheckCollisions(SwarmPlan plan, IList<SwarmService> services, IList<NetworkResponse> networks, IList<Secret> secrets, IList<SwarmConfig> configs)
    {
        var problems = new List<string>();
        foreach (var service in plan.Services)
        {
            if (services.FirstOrDefault(s => s.Spec?.Name == service.Name) is { } s && !Owned(s.Spec?.Labels, plan.Stack))
            {
                problems.Add($"service {service.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        foreach (var network in plan.Networks.Where(n => !n.External))
        {
            if (networks.FirstOrDefault(n => n.Name == network.Name) is { } n && !Owned(n.Labels, plan.Stack))
            {
                problems.Add($"network {network.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        foreach (var secret in plan.Secrets.Where(s => !s.External))
        {
            if (secrets.FirstOrDefault(x => x.Spec?.Name == secret.Name) is { } x && !Owned(x.Spec?.Labels, plan.Stack))
            {
                problems.Add($"secret {secret.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        foreach (var config in plan.Configs.Where(s => !s.External))
        {
            if (configs.FirstOrDefault(x => x.Spec?.Name == config.Name) is { } x && !Owned(x.Spec?.Labels, plan.Stack))
            {
                problems.Add($"config {config.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        // A published port held by another service would fail mid-deploy; find it before the first write.
        foreach (var service in plan.Services)
        {
            foreach (var port in service.Spec.EndpointSpec?.Ports ?? [])
            {
                if (port.PublishedPort is not { } published || published == 0)
                {
                    continue;
                }

                var holder = services.FirstOrDefault(s => s.Spec?.Name != service.Name
                    && (s.Endpoint?.Ports ?? []).Any(p => p.PublishedPort == published && p.Protocol == port.Protocol && p.PublishMode == port.PublishMode && port.PublishMode == "ingress"));
                if (holder is not null)
                {
                    problems.Add($"port {published}/{port.Protocol} of service {service.Name} is already published by service {holder.Spec?.Name}");
                }
            }
        }

        foreach (var secret in plan.Secrets.Where(s => s.External && !secrets.Any(x => x.Spec?.Name == s.Name)))
        {
            problems.Add($"secret {secret.Name} is declared as external, but could not be found");
        }

        foreach (var config in plan.Configs.Where(s => s.External && !configs.Any(x => x.Spec?.Name == s.Name)))
        {
            problems.Add($"config {config.Name} is declared as external, but could not be found");
        }

        if (problems.Count > 0)
        {
            throw new SwarmEngineException("nothing was changed: " + string.Join("; ", problems));
        }
    }

    /// <summary>A copy of the spec with secret and config IDs filled in; the plan stays as converted.</summary>
    private static ServiceSpec WithIds(ServiceSpec spec, Dictionary<string, string> secretIds, Dictionary<string, string> configIds)
    {
        var copy = JsonSerializer.Deserialize(SwarmJson.SerializeToUtf8Bytes(spec), SwarmJsonContext.Default.ServiceSpec)!;
        foreach (var secret in copy.TaskTemplate!.ContainerSpec!.Secrets ?? [])
        {
            secret.SecretID = Label(secretIds, secret.SecretName ?? string.Empty) ?? throw new SwarmEngineException($"secret {secret.SecretName} not found");
        }

        foreach (var config in copy.TaskTemplate!.ContainerSpec!.Configs ?? [])
        {
            config.ConfigID = Label(configIds, config.ConfigName ?? string.Empty) ?? throw new SwarmEngineException($"config {config.ConfigName} not found");
        }

        return copy;
    }

    private async Task<(bool Converged, ImmutableArray<string> Failures)> WaitAsync(List<string> names, SwarmDeployOptions options, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + options.Timeout;
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var services = await Call(c => c.Swarm.ListServicesAsync(new ServiceListParameters { Status = true }, cancellationToken)).ConfigureAwait(false);
            var pending = 0;
            foreach (var name in names)
            {
                var service = services.FirstOrDefault(s => s.Spec!.Name! == name);
                var status = service?.ServiceStatus;
                var isJob = service?.Spec?.Mode?.ReplicatedJob is not null || service?.Spec?.Mode?.GlobalJob is not null;
                var done = status is not null && (isJob
                    ? status.CompletedTasks >= status.DesiredTasks && status.DesiredTasks > 0
                    : status.RunningTasks == status.DesiredTasks && status.DesiredTasks > 0 || (status.DesiredTasks == 0 && service?.Spec?.Mode?.Replicated?.Replicas == 0));
                var updating = service?.UpdateStatus?.State is "updating" or "rollback_started";
                var line = status is null ? $"{name}: waiting" : isJob
                    ? $"{name}: {status.CompletedTasks}/{status.DesiredTasks} completed"
                    : $"{name}: {status.RunningTasks}/{status.DesiredTasks} running{(updating ? " (updating)" : string.Empty)}";
                if (!last.TryGetValue(name, out var previous) || previous != line)
                {
                    Report(line);
                    last[name] = line;
                }

                if (!done || updating)
                {
                    pending++;
                }
            }

            if (pending == 0)
            {
                return (true, []);
            }

            if (DateTime.UtcNow >= deadline)
            {
                return (false, await FailuresAsync(names, cancellationToken).ConfigureAwait(false));
            }

            await Task.Delay(options.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ImmutableArray<string>> FailuresAsync(List<string> names, CancellationToken cancellationToken)
    {
        var tasks = await Call(c => c.Tasks.ListAsync(cancellationToken)).ConfigureAwait(false);
        var services = await Call(c => c.Swarm.ListServicesAsync(new ServiceListParameters(), cancellationToken)).ConfigureAwait(false);
        var ids = services.Where(s => names.Contains(s.Spec!.Name!)).ToDictionary(s => s.ID, s => s.Spec!.Name!, StringComparer.Ordinal);
        return [.. tasks
            .Where(t => t.ServiceID is not null && ids.ContainsKey(t.ServiceID) && (!string.IsNullOrEmpty(t.Status?.Err) || t.Status?.State is not TaskState.Running))
            .OrderByDescending(t => t.UpdatedAt)
            .GroupBy(t => t.ServiceID)
            .Select(g => g.First())
            .Select(t => $"{ids[t.ServiceID!]}: task {t.ID[..Math.Min(12, t.ID.Length)]} {t.Status?.State?.ToString().ToLowerInvariant()}: {(string.IsNullOrEmpty(t.Status?.Err) ? t.Status?.Message : t.Status.Err)}")];
    }

    private async Task TryRemove(string what, Func<IDockerClient, Task> call, ImmutableArray<string>.Builder removed)
    {
        try
        {
            Report($"Removing {what}");
            await Write(call).ConfigureAwait(false);
            removed.Add(what);
        }
        catch (DockerApiException ex)
        {
            // In use by a service outside the plan, or already gone: report and go on; never fatal for cleanup.
            Report($"Failed to remove {what}: {FirstLine(ex.ResponseBody)}");
        }
    }

    /// <summary>Progress lines come from concurrent service writes; the callback sees one at a time.</summary>
    private void Report(string line)
    {
        lock (_gate)
        {
            _progress(line);
        }
    }

    private static string FirstLine(string? body) => (body ?? string.Empty).Split('\n')[0].Trim();

    private Task<T> Call<T>(Func<IDockerClient, Task<T>> call) => SwarmEngine.CallAsync(_client, call);

    private Task<T> Write<T>(Func<IDockerClient, Task<T>> call)
    {
        Interlocked.Increment(ref _writes);
        return SwarmEngine.CallAsync(_client, call);
    }

    private Task Write(Func<IDockerClient, Task> call)
    {
        Interlocked.Increment(ref _writes);
        return SwarmEngine.CallAsync(_client, call);
    }
}
