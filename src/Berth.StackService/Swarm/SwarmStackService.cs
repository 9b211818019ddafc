using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Berth.Stacks;
using Berth.Stacks.Events;
using Berth.Swarm.Apply;
using Berth.Swarm.Apply.Engine;
using Berth.Swarm.Convert;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.StackService.Swarm;

/// <summary>
/// Stacks on Docker Swarm: <see cref="SwarmConverter"/>, <see cref="SwarmPlanner"/>, <see cref="SwarmDeployer"/> and
/// the engine's service/task lists. The engine is connected on the first call and kept for the next ones.
/// </summary>
internal sealed partial class SwarmStackService(Func<string, string?> environment) : IStackService
{
    private EngineClient? _client;

    public StackOrchestrator Orchestrator => StackOrchestrator.Swarm;

    public StackCapabilities Capabilities { get; } = new(TaskHistory: true, TaskRestarts: false, Namespaces: false);

    public async Task<StackPlanResult> PlanAsync(StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var verdict = StackPolicyGate.Check(request, StackPolicyGate.Scope(Orchestrator, request.Stack, null), events, cancellationToken);
        if (verdict?.Denied == true)
        {
            return new StackPlanResult(Orchestrator, request.Stack, [], 0) { PolicyCheck = verdict };
        }

        var plan = Convert(request, events);
        if (plan is null)
        {
            return new StackPlanResult(Orchestrator, request.Stack, [], 0) { Invalid = true, PolicyCheck = verdict };
        }

        return await RunAsync(async client =>
        {
            var changes = await SwarmPlanner.PlanAsync(client, plan, request.Prune, request.ResolveImage ?? ImageResolution.Always, events, cancellationToken).ConfigureAwait(false);
            var rows = changes.Changes.Select(c => new StackChange(c.Action.ToString().ToLowerInvariant(), c.Kind, c.Name, c.Fields, c.Reason)
            {
                Values = [.. c.Changes.Select(x => new StackFieldChange(x.Field, x.From, x.To, x.Describe()))],
            });
            return new StackPlanResult(Orchestrator, request.Stack, [.. rows], changes.UnchangedServices.Length) { PolicyCheck = verdict };
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StackDeployResult> DeployAsync(StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(events);

        // Before conversion and before the engine is even connected: a denied stack leaves the Swarm untouched.
        var verdict = StackPolicyGate.Check(request, StackPolicyGate.Scope(Orchestrator, request.Stack, null), events, cancellationToken);
        if (verdict?.Denied == true)
        {
            return new StackDeployResult(Orchestrator, request.Stack) { PolicyCheck = verdict, Timeout = request.Timeout };
        }

        var plan = Convert(request, events);
        if (plan is null)
        {
            return new StackDeployResult(Orchestrator, request.Stack) { Invalid = true, PolicyCheck = verdict, Timeout = request.Timeout };
        }

        return await RunAsync(async client =>
        {
            var deployer = new SwarmDeployer(client, events);
            var watch = Stopwatch.StartNew();
            SwarmDeployResult result;
            try
            {
                result = await deployer.DeployAsync(plan, new SwarmDeployOptions
                {
                    Prune = request.Prune,
                    Detach = request.Detach,
                    RollbackOnFailure = request.RollbackOnFailure,
                    Timeout = request.Timeout,
                    Stability = request.Stability,
                    ResolveImage = request.ResolveImage ?? ImageResolution.Always,
                    RegistryCredentials = request.WithRegistryAuth ? DockerRegistryCredentials.Load(environment, line => events.Publish(new StackWarning(line))) : null,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or SwarmEngineException or HttpRequestException or IOException)
            {
                // Ctrl-C: whatever the engine call in flight threw, the cause is the interruption, not a timeout or the engine.
                throw new StackDeployInterruptedException(request.Stack, Orchestrator, ex);
            }

            var deployed = new StackDeployResult(Orchestrator, request.Stack)
            {
                Created = result.Created,
                Updated = result.Updated,
                Unchanged = result.Unchanged,
                Removed = result.Removed,
                Writes = result.Writes,
                Converged = result.Converged,
                Failures = result.Failures,
                RolledBack = result.RolledBack,
                NotRolledBack = result.NotRolledBack,
                Timeout = request.Timeout,
                Elapsed = watch.Elapsed,
                PolicyCheck = verdict,
            };
            return deployed.Converged ? deployed with { Revision = await RecordAsync(client, request, deployed, events, cancellationToken).ConfigureAwait(false) } : deployed;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<ImmutableArray<StackSummary>> ListAsync(StackListOptions options, CancellationToken cancellationToken) => RunAsync(async client =>
    {
        var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [StackLabels.StackNamespace] = true } },
        }, cancellationToken)).ConfigureAwait(false);
        return services
            .Select(s => s.Spec?.Labels is { } l && l.TryGetValue(StackLabels.StackNamespace, out var v) ? v : null)
            .OfType<string>()
            .GroupBy(n => n, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new StackSummary(g.Key, g.Count(), Orchestrator, string.Empty))
            .ToImmutableArray();
    }, cancellationToken);

    public Task<ImmutableArray<StackServiceInfo>> ServicesAsync(string stack, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var engineFilters = SwarmFilters.Build(stack, filters, SwarmFilters.ServiceKeys);
        return RunAsync(async client =>
        {
            var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = engineFilters, Status = true }, cancellationToken)).ConfigureAwait(false);
            var owned = services.Where(s => StackOwnership.Owned(s.Spec?.Labels, stack)).ToList();

            // REPLICAS counts the current task of each slot, so only tasks desired running are read.
            var tasks = owned.Count == 0 ? [] : await SwarmEngine.CallAsync(client, c => c.Tasks.ListAsync(new TasksListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["service"] = owned.ToDictionary(s => s.ID, _ => true, StringComparer.Ordinal),
                    ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
                },
            }, cancellationToken)).ConfigureAwait(false);
            return owned
                .OrderBy(s => s.Spec!.Name, StringComparer.Ordinal)
                .Select(s => new StackServiceInfo(
                    s.ID[..Math.Min(12, s.ID.Length)],
                    s.Spec!.Name!,
                    SwarmListing.Mode(s.Spec.Mode),
                    SwarmListing.Counts(s, tasks),
                    SwarmListing.Image(s.Spec.TaskTemplate?.ContainerSpec?.Image),
                    SwarmListing.ServicePorts(s.Endpoint?.Ports)))
                .ToImmutableArray();
        }, cancellationToken);
    }

    public Task<ImmutableArray<StackTaskInfo>> TasksAsync(string stack, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var engineFilters = SwarmFilters.Build(stack, filters, SwarmFilters.TaskKeys);
        return RunAsync(async client =>
        {
            // The engine resolves node names and checks desired-state values itself, as for docker stack ps.
            var tasks = await SwarmEngine.CallAsync(client, c => c.Tasks.ListAsync(new TasksListParameters { Filters = engineFilters }, cancellationToken)).ConfigureAwait(false);
            var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = StackOwnership.StackFilter(stack) }, cancellationToken)).ConfigureAwait(false);
            var nodes = await SwarmEngine.CallAsync(client, c => c.Swarm.ListNodesAsync(cancellationToken)).ConfigureAwait(false);
            var serviceNames = services.Where(s => StackOwnership.Owned(s.Spec?.Labels, stack)).ToDictionary(s => s.ID, s => s.Spec?.Name ?? s.ID, StringComparer.Ordinal);
            var nodeNames = nodes.ToDictionary(n => n.ID, n => n.Description?.Hostname ?? n.ID, StringComparer.Ordinal);
            return tasks
                .Where(t => t.ServiceID is not null && serviceNames.ContainsKey(t.ServiceID))
                .Select(t => new StackTaskInfo(
                    t.ID,
                    $"{serviceNames[t.ServiceID!]}.{(t.Slot is > 0 ? t.Slot.Value.ToString(CultureInfo.InvariantCulture) : t.NodeID)}",
                    t.Spec?.ContainerSpec?.Image ?? string.Empty,
                    SwarmListing.Image(t.Spec?.ContainerSpec?.Image),
                    t.NodeID is not null && nodeNames.TryGetValue(t.NodeID, out var node) ? node : string.Empty,
                    SwarmListing.State(t.DesiredState),
                    SwarmListing.State(t.Status?.State),
                    t.Status?.Timestamp,
                    t.Status?.Err ?? string.Empty,
                    string.Join(", ", (t.Status?.PortStatus?.Ports ?? []).Select(p => $"*:{p.PublishedPort}->{p.TargetPort}/{p.Protocol}")),
                    t.CreatedAt,
                    t.UpdatedAt))
                .ToImmutableArray();
        }, cancellationToken);
    }

    public Task<StackRemoveResult> RemoveAsync(string stack, StackRemoveOptions options, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(async client =>
        {
            var removed = await new SwarmDeployer(client, events).RemoveStackAsync(stack, options.Wait, options.Timeout, cancellationToken).ConfigureAwait(false);
            return new StackRemoveResult(stack, removed, []);
        }, cancellationToken);
    }

    public void Dispose() => _client?.Dispose();

    /// <summary>The plan, or null (diagnostics published) when the stack cannot run on Swarm as written.</summary>
    private static SwarmPlan? Convert(StackDeployRequest request, IStackEventSink events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var plan = SwarmConverter.Convert(request.Project, new SwarmConvertOptions
        {
            Stack = request.Stack,
            Contents = History.RevisionHistory.Contents(request),
        });
        events.Publish(new StackConverted(StackOrchestrator.Swarm, plan.Diagnostics));
        return plan.HasErrors ? null : plan;
    }

    /// <summary>Connects (once), runs, and turns engine failures into <see cref="StackOrchestratorException"/>.</summary>
    private async Task<T> RunAsync<T>(Func<EngineClient, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            _client ??= SwarmEngine.Connect(environment);
            try
            {
                return await action(_client).ConfigureAwait(false);
            }
            catch (DockerApiException ex) when (SwarmEngine.IsNotManager(ex))
            {
                // Reads (ls, services, ps, rm) get the engine's 503 where deploy checks first: say it as deploy does,
                // with the node's Swarm state and the hint (the check throws; it returns only if the node became a manager since).
                await SwarmEngine.RequireManagerAsync(_client, cancellationToken).ConfigureAwait(false);
                throw;
            }
        }
        catch (SwarmEngineException ex)
        {
            throw new StackOrchestratorException(ex.Message, ex.Hint, ex);
        }
        catch (DockerApiException ex)
        {
            // The engine's own message (e.g. a port already in use); request bodies, which may hold secrets, are never shown.
            throw new StackOrchestratorException($"the engine refused: {FirstMessage(ex.ResponseBody)}", null, ex);
        }
    }

    private static string FirstMessage(string? body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body ?? "{}");
            return doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : body ?? string.Empty;
        }
        catch (JsonException)
        {
            return body ?? string.Empty;
        }
    }
}
