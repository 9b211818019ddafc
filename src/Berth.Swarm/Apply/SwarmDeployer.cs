using System.Collections.Immutable;
using System.Text.Json;
using Berth.Stacks.Events;
using Berth.Swarm.Apply.Engine;
using Berth.Swarm.Convert;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// Applies a <see cref="SwarmPlan"/>: plans from one read of the engine (<see cref="SwarmPlanner"/>), then creates
/// networks, secrets and configs, writes changed services, prunes, waits for convergence unless detached, and rolls
/// back changed services that fail when asked to. Never touches an object without the stack's label. Everything it
/// does is published to <paramref name="events"/> as typed events (writes, waiting progress, rollbacks).
/// </summary>
internal sealed class SwarmDeployer(EngineClient client, IStackEventSink events)
{
    private readonly EngineCalls _engine = new(client, events);

    /// <summary>Events as their one-line wording, progress dropped (tests).</summary>
    public SwarmDeployer(EngineClient client, Action<string> lines)
        : this(client, StackEventSink.Lines(lines))
    {
    }

    public async Task<SwarmDeployResult> DeployAsync(SwarmPlan plan, SwarmDeployOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        // The reads are the manager check: a node that is not a manager answers them with 503, reported as Berth's own
        // message (from /info). /info itself (slow: the engine gathers its whole system state) is only needed for its
        // clock when waiting, so it runs alongside and nothing waits for it before the writes; a detached deploy skips it.
        var info = options.Detach ? null : ReadClockAsync(cancellationToken);
        SwarmState state;
        try
        {
            state = await SwarmState.ReadAsync(_engine, cancellationToken).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (SwarmEngine.IsNotManager(ex))
        {
            await (info ?? ReadClockAsync(cancellationToken)).ConfigureAwait(false);
            throw;
        }

        state = await StackRemovalWait.WaitAsync(_engine, plan.Stack, [.. plan.Networks.Where(n => !n.External).Select(n => n.Name)], state, options.Timeout, cancellationToken).ConfigureAwait(false);
        var writesStartLocal = DateTime.UtcNow;
        plan = await MovedTags.PinAsync(_engine, plan, state, options.ResolveImage, cancellationToken).ConfigureAwait(false);
        var changes = SwarmPlanner.Plan(plan, state, options.Prune);

        // Networks, secrets and configs do not depend on each other: create them together (services need them all).
        var secretIds = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(
            state.Secrets.Where(s => s.Spec?.Name is not null).ToDictionary(s => s.Spec!.Name!, s => s.ID, StringComparer.Ordinal), StringComparer.Ordinal);
        var configIds = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(
            state.Configs.Where(s => s.Spec?.Name is not null).ToDictionary(s => s.Spec!.Name!, s => s.ID, StringComparer.Ordinal), StringComparer.Ordinal);
        var creations = new List<Task>();
        foreach (var network in changes.Of("network", ChangeAction.Create))
        {
            _engine.Publish(new ObjectWriting(ObjectStep.Create, "network", network.Name));
            var create = plan.Networks.First(n => n.Name == network.Name).Create!;
            creations.Add(CreateNetworkAsync(create, plan.Stack, cancellationToken));
        }

        foreach (var secret in changes.Of("secret", ChangeAction.Create))
        {
            _engine.Publish(new ObjectWriting(ObjectStep.Create, "secret", secret.Name));
            var spec = plan.Secrets.First(s => s.Name == secret.Name).Spec!;
            creations.Add(CreateAsync(secret.Name, () => _engine.Write(c => c.Secrets.CreateAsync(spec, cancellationToken)), r => r.ID, secretIds));
        }

        foreach (var config in changes.Of("config", ChangeAction.Create))
        {
            _engine.Publish(new ObjectWriting(ObjectStep.Create, "config", config.Name));
            var spec = plan.Configs.First(s => s.Name == config.Name).Spec!;
            creations.Add(CreateAsync(config.Name, () => _engine.Write(c => c.Configs.CreateConfigAsync(new SwarmCreateConfigParameters { Config = spec }, cancellationToken)), r => r.ID, configIds));
        }

        await Task.WhenAll(creations).ConfigureAwait(false);

        // Services are independent once networks, secrets and configs exist: write them concurrently (bounded, so a
        // big stack does not flood the manager; 16 beat 8 for 60 creates on the local engine); results are reported in plan order.
        var serviceChanges = changes.Changes.Where(c => c.Kind == "service" && c.Action != ChangeAction.Remove).ToList();
        // Services a concurrent deploy created between this deploy's read and its create: true when updated, false when left as they were.
        var raced = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var digests = new ImagePinning.Cache();
        await Parallel.ForEachAsync(serviceChanges, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (change, ct) =>
        {
            if (change.Existing is { } existing && change.LabelsOnly)
            {
                // The live spec as stored with Berth's labels: nothing the engine compares for tasks changes, so none restarts.
                _engine.Publish(new ObjectWriting(ObjectStep.Update, "service", change.Name) { Id = existing.ID, Cause = UpdateCause.LabelsOnly });
                var relabelled = Copy(existing.Spec!);
                relabelled.Labels = new Dictionary<string, string>(change.Service!.Spec.Labels, StringComparer.Ordinal);
                await UpdateServiceAsync(existing, relabelled, null, ct).ConfigureAwait(false);
                return;
            }

            var spec = WithIds(change.Service!.Spec, secretIds, configIds);
            if (spec.TaskTemplate?.ContainerSpec is { Image: { } image } container)
            {
                container.Image = await digests.ResolveAsync(_engine, image, change.Existing?.Spec?.TaskTemplate?.ContainerSpec?.Image, options.ResolveImage, ct).ConfigureAwait(false);
            }

            // Null sends no X-Registry-Auth header (the library's default), as before --with-registry-auth existed.
            var auth = options.RegistryCredentials?.For(spec.TaskTemplate?.ContainerSpec?.Image ?? string.Empty);
            if (change.Existing is not { } live)
            {
                _engine.Publish(new ObjectWriting(ObjectStep.Create, "service", change.Name));
                if (await CreateServiceAsync(change.Service, spec, auth, plan.Stack, ct).ConfigureAwait(false) is { } updatedInstead)
                {
                    raced[change.Name] = updatedInstead;
                }
            }
            else
            {
                _engine.Publish(new ObjectWriting(ObjectStep.Update, "service", change.Name) { Id = live.ID, Fields = [.. change.Fields] });

                // The complete spec, so the engine stores what the file says. When only service-level fields drifted
                // (replicas, labels), the live task template goes back as stored: the engine would restart tasks for
                // any difference in it, even one that means the same.
                if (!change.Changes.Any(c => c.InTaskTemplate) && live.Spec?.TaskTemplate is not null)
                {
                    spec.TaskTemplate = Copy(live.Spec).TaskTemplate;
                }

                // Keep ForceUpdate so the update itself does not restart tasks whose spec did not change.
                spec.TaskTemplate!.ForceUpdate = live.Spec?.TaskTemplate?.ForceUpdate ?? 0;
                await UpdateServiceAsync(live, spec, auth, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        ChangeAction? Outcome(string name) => raced.TryGetValue(name, out var u) ? (u ? ChangeAction.Update : null) : serviceChanges.FirstOrDefault(c => c.Name == name)?.Action;
        var created = plan.Services.Select(s => s.Name).Where(n => Outcome(n) == ChangeAction.Create).ToImmutableArray();
        var updated = plan.Services.Select(s => s.Name).Where(n => Outcome(n) == ChangeAction.Update).ToImmutableArray();
        var unchanged = changes.UnchangedServices.AddRange(plan.Services.Select(s => s.Name).Where(n => raced.TryGetValue(n, out var u) && !u));
        var removed = await SwarmPruner.PruneAsync(_engine, changes, cancellationToken).ConfigureAwait(false);

        if (options.Detach)
        {
            return new SwarmDeployResult(created, updated, unchanged, removed, _engine.Writes, true, []);
        }

        // Task timestamps are the engine's: measure them against its clock, not this machine's.
        var (engineInfo, answeredAt) = await info!.ConfigureAwait(false);
        var clockOffset = EngineClock.Offset(engineInfo, answeredAt);
        var writesStart = writesStartLocal + clockOffset - EngineClock.Tolerance;

        // Every service of the stack is checked, not only the ones written now: an unchanged service that keeps
        // crashing is not "up to date". Reads only, so an unchanged redeploy still makes no write.
        var waiter = new ConvergenceWaiter(_engine);
        var changed = serviceChanges.Select(c => c.Name).ToList();
        var settings = new ConvergenceSettings(options.Timeout, options.PollInterval, options.Stability, clockOffset, RollingBack: false)
        {
            Written = changed.ToHashSet(StringComparer.Ordinal),
            WrittenAfter = writesStart,
        };
        var (converged, failures) = await waiter.WaitAsync([.. plan.Services.Select(s => s.Name)], settings, cancellationToken).ConfigureAwait(false);
        ImmutableArray<string> rolledBack = [];
        ImmutableArray<string> notRolledBack = [];
        if (!converged && options.RollbackOnFailure)
        {
            // Only services this deploy updated have a previous spec; a created one stays (Swarm keeps retrying it).
            var failing = changed.Where(n => failures.Any(f => f.StartsWith(n + ":", StringComparison.Ordinal))).ToList();
            rolledBack = await ServiceRollback.RollBackAsync(_engine, failing.Where(updated.Contains), cancellationToken).ConfigureAwait(false);
            notRolledBack = [.. failing.Where(n => !rolledBack.Contains(n))];
            if (!rolledBack.IsEmpty)
            {
                await waiter.WaitAsync(rolledBack, settings with { RollingBack = true, WrittenAfter = DateTime.UtcNow + clockOffset - EngineClock.Tolerance }, cancellationToken).ConfigureAwait(false);
            }
        }

        return new SwarmDeployResult(created, updated, unchanged, removed, _engine.Writes, converged, failures)
        {
            RolledBack = rolledBack,
            NotRolledBack = notRolledBack,
        };
    }

    /// <summary>The engine's /info (failing unless it is a manager) with the local time it arrived, for the clock offset.</summary>
    private async Task<(SystemInfoResponse Info, DateTime AnsweredAt)> ReadClockAsync(CancellationToken cancellationToken)
    {
        var info = await SwarmEngine.RequireManagerAsync(_engine.Client, cancellationToken).ConfigureAwait(false);
        return (info, DateTime.UtcNow);
    }

    /// <summary>
    /// Test seam: runs before each network or service create with the kind and name, so a test can make a concurrent
    /// deploy win the race for that name deterministically.
    /// </summary>
    internal Func<string, string, CancellationToken, Task>? BeforeCreate { get; init; }

    /// <summary>
    /// Creates a network, asking the engine to refuse a duplicate name (CheckDuplicate, sent by <see cref="SwarmEngine"/>).
    /// A concurrent deploy of the same stack may have created it since the read: a name conflict then means "exists",
    /// and the network is used when it carries the stack's label (swarmkit keeps names unique, so there is one).
    /// </summary>
    private async Task CreateNetworkAsync(NetworksCreateParameters create, string stack, CancellationToken cancellationToken)
    {
        try
        {
            await (BeforeCreate?.Invoke("network", create.Name, cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
            await _engine.Write(c => c.Networks.CreateNetworkAsync(create, cancellationToken)).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (IsNameConflict(ex))
        {
            var existing = await _engine.Read(c => c.Networks.ListNetworksAsync(new NetworksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [create.Name] = true } },
            }, cancellationToken)).ConfigureAwait(false);
            if (existing.FirstOrDefault(n => n.Name == create.Name) is not { } network)
            {
                throw;
            }

            if (!Owned(network.Labels, stack))
            {
                throw new SwarmEngineException($"network {create.Name} was created by someone else during this deploy and does not belong to stack {stack}; nothing after it was changed")
                {
                    Hint = "remove or rename that network, then deploy again",
                };
            }

            _engine.Publish(new ConcurrentNetworkUsed(create.Name, stack));
        }
    }

    /// <summary>
    /// Creates a service. When a concurrent deploy created it since the read (the engine's name conflict), the live
    /// service is read again and takes the update path: left alone when it already has this spec (same spec-hash
    /// label), updated otherwise. Returns true when updated, false when left alone, null for a plain create.
    /// </summary>
    private async Task<bool?> CreateServiceAsync(SwarmServicePlan service, ServiceSpec spec, AuthConfig? auth, string stack, CancellationToken cancellationToken)
    {
        try
        {
            await (BeforeCreate?.Invoke("service", service.Name, cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
            await _engine.Write(c => c.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec, RegistryAuth = auth! }, cancellationToken)).ConfigureAwait(false);
            return null;
        }
        catch (DockerApiException ex) when (IsNameConflict(ex))
        {
            var live = await _engine.Read(c => c.Swarm.InspectServiceAsync(service.Name, cancellationToken)).ConfigureAwait(false);
            if (!Owned(live.Spec?.Labels, stack))
            {
                throw new SwarmEngineException($"service {service.Name} was created by someone else during this deploy and does not belong to stack {stack}")
                {
                    Hint = "remove or rename that service, then deploy again",
                };
            }

            if (StackOwnership.Label(live.Spec?.Labels, SwarmLabels.SpecHash) == service.SpecHash)
            {
                _engine.Publish(new ConcurrentServiceKept(service.Name));
                return false;
            }

            _engine.Publish(new ObjectWriting(ObjectStep.Update, "service", service.Name) { Id = live.ID, Cause = UpdateCause.ConcurrentOtherSpec });
            spec.TaskTemplate!.ForceUpdate = live.Spec?.TaskTemplate?.ForceUpdate ?? 0;
            await UpdateServiceAsync(live, spec, auth, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>
    /// The engine's answer when the name was taken after the read: 409, or, when two creates reach swarmkit at the
    /// same instant, a 500 carrying swarmkit's "name conflicts with an existing object".
    /// </summary>
    private static bool IsNameConflict(DockerApiException ex)
        => ex.StatusCode == System.Net.HttpStatusCode.Conflict
           || ex.ResponseBody?.Contains("name conflicts with an existing object", StringComparison.Ordinal) == true;

    /// <summary>Removes everything carrying the stack's label: services, secrets, configs, then networks (as docker does).</summary>
    public Task<ImmutableArray<string>> RemoveStackAsync(string stack, bool wait, TimeSpan timeout, CancellationToken cancellationToken)
        => SwarmRemover.RemoveStackAsync(_engine, stack, wait, timeout, cancellationToken);

    public static IDictionary<string, IDictionary<string, bool>> StackFilter(string stack) => StackOwnership.StackFilter(stack);

    /// <summary>Only objects whose label says so belong to the stack; names alone never count.</summary>
    public static bool Owned(IDictionary<string, string>? labels, string stack) => StackOwnership.Owned(labels, stack);

    /// <summary>A copy of the spec with secret and config IDs filled in; the plan stays as converted.</summary>
    private static async Task CreateAsync<TResponse>(string name, Func<Task<TResponse>> create, Func<TResponse, string> id, System.Collections.Concurrent.ConcurrentDictionary<string, string> ids)
        => ids[name] = id(await create().ConfigureAwait(false));

    private static ServiceSpec Copy(ServiceSpec spec) => JsonSerializer.Deserialize(SwarmJson.SerializeToUtf8Bytes(spec), SwarmJsonContext.Default.ServiceSpec)!;

    private static ServiceSpec WithIds(ServiceSpec spec, IDictionary<string, string> secretIds, IDictionary<string, string> configIds)
    {
        var copy = Copy(spec);
        foreach (var secret in copy.TaskTemplate!.ContainerSpec!.Secrets ?? [])
        {
            secret.SecretID = StackOwnership.Label(secretIds, secret.SecretName ?? string.Empty) ?? throw new SwarmEngineException($"secret {secret.SecretName} not found");
        }

        foreach (var config in copy.TaskTemplate!.ContainerSpec!.Configs ?? [])
        {
            config.ConfigID = StackOwnership.Label(configIds, config.ConfigName ?? string.Empty) ?? throw new SwarmEngineException($"config {config.ConfigName} not found");
        }

        return copy;
    }

    /// <summary>Updates with the version read at planning time (retried on "update out of sequence": <see cref="EngineCalls.UpdateServiceAsync"/>).</summary>
    private Task UpdateServiceAsync(SwarmService existing, ServiceSpec spec, AuthConfig? auth, CancellationToken cancellationToken)
        => _engine.UpdateServiceAsync(existing.ID, existing.Version?.Index, version => new ServiceUpdateParameters { Service = spec, Version = version, RegistryAuth = auth! }, cancellationToken);

}
