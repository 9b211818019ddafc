using System.Collections.Immutable;
using Berth.Swarm.Apply.Engine;
using Berth.Swarm.Convert;
using static Berth.Swarm.Apply.StackOwnership;

namespace Berth.Swarm.Apply;

/// <summary>
/// Works out what a deploy would change, from reads only: <c>stack diff</c> prints the result and
/// <see cref="SwarmDeployer"/> applies it. Refuses (before any write) when a name is taken by an object without
/// the stack's label, an external object is missing, or an ingress port is held by another service.
/// </summary>
internal static class SwarmPlanner
{
    private static readonly string[] s_builtinNetworks = ["host", "bridge", "none"];

    /// <summary>Reads the engine and plans; makes no mutating Engine API call. Under <see cref="ImageResolution.Always"/> a tag moved to another digest is a change (<see cref="MovedTags"/>).</summary>
    public static async Task<DeployPlan> PlanAsync(EngineClient client, SwarmPlan plan, bool prune, ImageResolution resolveImage, Berth.Stacks.Events.IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var engine = new EngineCalls(client, events);
        await SwarmEngine.RequireManagerAsync(client, cancellationToken).ConfigureAwait(false);
        var state = await SwarmState.ReadAsync(engine, cancellationToken).ConfigureAwait(false);
        plan = await MovedTags.PinAsync(engine, plan, state, resolveImage, cancellationToken).ConfigureAwait(false);
        return Plan(plan, state, prune);
    }

    internal static DeployPlan Plan(SwarmPlan plan, SwarmState state, bool prune)
    {
        CheckCollisions(plan, state);
        var stack = plan.Stack;
        var changes = ImmutableArray.CreateBuilder<PlannedChange>();
        var unchanged = ImmutableArray.CreateBuilder<string>();
        var networkNames = state.Networks.GroupBy(n => n.ID, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);

        foreach (var network in plan.Networks.Where(n => !n.External && !state.Networks.Any(x => x.Name == n.Name)))
        {
            changes.Add(new PlannedChange("network", network.Name, ChangeAction.Create, [], null));
        }

        foreach (var secret in plan.Secrets.Where(s => !s.External && !state.Secrets.Any(x => x.Spec?.Name == s.Name)))
        {
            changes.Add(new PlannedChange("secret", secret.Name, ChangeAction.Create, [], null));
        }

        foreach (var config in plan.Configs.Where(s => !s.External && !state.Configs.Any(x => x.Spec?.Name == s.Name)))
        {
            changes.Add(new PlannedChange("config", config.Name, ChangeAction.Create, [], null));
        }

        foreach (var service in plan.Services)
        {
            var existing = state.Services.FirstOrDefault(s => s.Spec?.Name == service.Name);
            if (existing is null)
            {
                changes.Add(new PlannedChange("service", service.Name, ChangeAction.Create, [], null) { Service = service });
            }
            else
            {
                // The live spec, not only Berth's hash label: a hand change (docker service scale/update) is drift to correct.
                var diff = SpecDiff.Changes(service.Spec, existing.Spec!, networkNames);
                var liveHash = Label(existing.Spec?.Labels, SwarmLabels.SpecHash);
                // A job runs again on any update, even of labels only: an equal job spec is left as it is.
                var isJob = existing.Spec?.Mode is { ReplicatedJob: not null } or { GlobalJob: not null };
                if (diff.IsEmpty && (liveHash == service.SpecHash || isJob))
                {
                    unchanged.Add(service.Name);
                    continue;
                }

                // Equal specs under another hash (docker stack deploy drops the label; an older Berth hashed a sparser
                // spec): rewrite the labels on the live spec, which restarts no task.
                var labelsOnly = diff.IsEmpty;
                if (labelsOnly)
                {
                    diff = [new SpecChange("Labels", liveHash is null ? null : $"{SwarmLabels.SpecHash}={liveHash}", $"{SwarmLabels.SpecHash}={service.SpecHash}")];
                }

                changes.Add(new PlannedChange("service", service.Name, ChangeAction.Update, SpecDiff.FieldNames(diff), null)
                {
                    Id = existing.ID,
                    Service = service,
                    Existing = existing,
                    Changes = diff,
                    LabelsOnly = labelsOnly,
                });
            }
        }

        if (prune)
        {
            var wanted = plan.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var service in state.Services.Where(s => Owned(s.Spec?.Labels, stack) && !wanted.Contains(s.Spec!.Name!)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
            {
                changes.Add(new PlannedChange("service", service.Spec!.Name!, ChangeAction.Remove, [], "not in the file") { Id = service.ID });
            }
        }

        // Old versions of content-addressed secrets and configs go once no service uses them, with or without
        // --prune; with --prune, also the stack's secrets and configs the file no longer names at all.
        var secretNames = plan.Secrets.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var secretBases = plan.Secrets.Where(s => !s.External).Select(s => s.Spec!.Labels![SwarmLabels.ResourceName]).ToHashSet(StringComparer.Ordinal);
        foreach (var secret in state.Secrets.Where(s => Owned(s.Spec?.Labels, stack) && !secretNames.Contains(s.Spec!.Name!)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            var isOldVersion = Label(secret.Spec?.Labels, SwarmLabels.ResourceName) is { } b && secretBases.Contains(b);
            if (isOldVersion || prune)
            {
                changes.Add(new PlannedChange("secret", secret.Spec!.Name!, ChangeAction.Remove, [], isOldVersion ? "old version" : "not in the file") { Id = secret.ID });
            }
        }

        var configNames = plan.Configs.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var configBases = plan.Configs.Where(s => !s.External).Select(s => s.Spec!.Labels![SwarmLabels.ResourceName]).ToHashSet(StringComparer.Ordinal);
        foreach (var config in state.Configs.Where(s => Owned(s.Spec?.Labels, stack) && !configNames.Contains(s.Spec!.Name!)).OrderBy(s => s.Spec!.Name!, StringComparer.Ordinal))
        {
            var isOldVersion = Label(config.Spec?.Labels, SwarmLabels.ResourceName) is { } b && configBases.Contains(b);
            if (isOldVersion || prune)
            {
                changes.Add(new PlannedChange("config", config.Spec!.Name!, ChangeAction.Remove, [], isOldVersion ? "old version" : "not in the file") { Id = config.ID });
            }
        }

        if (prune)
        {
            var wanted = plan.Networks.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var network in state.Networks.Where(n => Owned(n.Labels, stack) && !wanted.Contains(n.Name)).OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                changes.Add(new PlannedChange("network", network.Name, ChangeAction.Remove, [], "not in the file") { Id = network.ID });
            }
        }

        return new DeployPlan(stack, changes.ToImmutable(), unchanged.ToImmutable());
    }

    private static void CheckCollisions(SwarmPlan plan, SwarmState state)
    {
        var problems = new List<string>();
        foreach (var network in plan.Networks)
        {
            var existing = state.Networks.FirstOrDefault(n => n.Name == network.Name);
            if (network.External)
            {
                if (existing is null && !s_builtinNetworks.Contains(network.Name))
                {
                    problems.Add($"network \"{network.Name}\" is declared as external, but could not be found. Create it with \"docker network create --driver overlay {network.Name}\"");
                }
                else if (existing is not null && existing.Scope != "swarm" && !s_builtinNetworks.Contains(network.Name))
                {
                    problems.Add($"network \"{network.Name}\" is declared as external, but it is not in the right scope: \"{existing.Scope}\" instead of \"swarm\"");
                }
            }
            else if (existing is not null && !Owned(existing.Labels, plan.Stack))
            {
                problems.Add($"network {network.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        foreach (var service in plan.Services)
        {
            if (state.Services.FirstOrDefault(s => s.Spec?.Name == service.Name) is { } s && !Owned(s.Spec?.Labels, plan.Stack))
            {
                problems.Add($"service {service.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        foreach (var secret in plan.Secrets.Where(s => !s.External))
        {
            if (state.Secrets.FirstOrDefault(x => x.Spec?.Name == secret.Name) is { } x && !Owned(x.Spec?.Labels, plan.Stack))
            {
                problems.Add($"secret {secret.Name} exists but does not belong to stack {plan.Stack}");
            }
        }

        foreach (var config in plan.Configs.Where(s => !s.External))
        {
            if (state.Configs.FirstOrDefault(x => x.Spec?.Name == config.Name) is { } x && !Owned(x.Spec?.Labels, plan.Stack))
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

                var holder = state.Services.FirstOrDefault(s => s.Spec?.Name != service.Name
                    && (s.Endpoint?.Ports ?? []).Any(p => p.PublishedPort == published && p.Protocol == port.Protocol && p.PublishMode == port.PublishMode && port.PublishMode == "ingress"));
                if (holder is not null)
                {
                    problems.Add($"port {published}/{port.Protocol} of service {service.Name} is already published by service {holder.Spec?.Name}");
                }
            }
        }

        foreach (var secret in plan.Secrets.Where(s => s.External && !state.Secrets.Any(x => x.Spec?.Name == s.Name)))
        {
            problems.Add($"secret {secret.Name} is declared as external, but could not be found");
        }

        foreach (var config in plan.Configs.Where(s => s.External && !state.Configs.Any(x => x.Spec?.Name == s.Name)))
        {
            problems.Add($"config {config.Name} is declared as external, but could not be found");
        }

        if (problems.Count > 0)
        {
            throw new SwarmEngineException("nothing was changed: " + string.Join("; ", problems));
        }
    }
}
