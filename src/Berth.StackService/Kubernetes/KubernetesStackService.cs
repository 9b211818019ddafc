using System.Collections.Immutable;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Observe;
using Berth.Stacks.Events;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// Stacks on Kubernetes: <see cref="KubernetesConverter"/> into the cluster's namespace, <see cref="KubernetesPlanner"/>,
/// <see cref="KubernetesDeployer"/> (server-side apply, prune, rollout wait), <see cref="StackReader"/> and
/// <see cref="KubernetesStackRemover"/>. The kubeconfig is resolved on the first call (no request) and kept.
/// </summary>
internal sealed partial class KubernetesStackService(KubernetesAccessOptions access, Func<string, string?> environment) : IStackService
{
    private KubernetesCluster? _cluster;

    public StackOrchestrator Orchestrator => StackOrchestrator.Kubernetes;

    public StackCapabilities Capabilities { get; } = new(TaskHistory: false, TaskRestarts: true, Namespaces: true);

    public Task<StackPlanResult> PlanAsync(StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(async cluster =>
        {
            var verdict = StackPolicyGate.Check(request, StackPolicyGate.Scope(Orchestrator, request.Stack, cluster.Namespace), await NamespaceLabelsAsync(cluster, request, events, cancellationToken).ConfigureAwait(false), events, cancellationToken);
            if (verdict?.Denied == true)
            {
                return new StackPlanResult(Orchestrator, request.Stack, [], 0) { PolicyCheck = verdict };
            }

            if (Convert(cluster, request, events) is not { } plan)
            {
                return new StackPlanResult(Orchestrator, request.Stack, [], 0) { Invalid = true, PolicyCheck = verdict };
            }

            var live = await PinImagesAsync(cluster, request, plan, forPlan: true, cancellationToken).ConfigureAwait(false);
            var changes = await KubernetesPlanner.PlanAsync(cluster.Client, cluster.Namespace, request.Stack, plan, request.Volumes, cancellationToken).ConfigureAwait(false);
            return new StackPlanResult(
                Orchestrator,
                request.Stack,
                [.. changes.Changes.Select(c => Change(c, plan, live))],
                changes.Unchanged.Length) { PolicyCheck = verdict };
        });
    }

    public Task<StackDeployResult> DeployAsync(StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(async cluster =>
        {
            // Before conversion and before any request that writes: a denied stack leaves the cluster untouched.
            var verdict = StackPolicyGate.Check(request, StackPolicyGate.Scope(Orchestrator, request.Stack, cluster.Namespace), await NamespaceLabelsAsync(cluster, request, events, cancellationToken).ConfigureAwait(false), events, cancellationToken);
            if (verdict?.Denied == true)
            {
                return new StackDeployResult(Orchestrator, request.Stack) { PolicyCheck = verdict, Namespace = cluster.Namespace, Timeout = request.Timeout };
            }

            if (Convert(cluster, request, events) is not { } plan)
            {
                return new StackDeployResult(Orchestrator, request.Stack) { Invalid = true, PolicyCheck = verdict, Namespace = cluster.Namespace, Timeout = request.Timeout };
            }

            await PinImagesAsync(cluster, request, plan, forPlan: false, cancellationToken).ConfigureAwait(false);
            events.Publish(new DeployStarting(request.Stack, cluster.Namespace, cluster.Source));
            var started = DateTime.UtcNow;
            var result = await new KubernetesDeployer(cluster.Client, cluster.Namespace, events).DeployAsync(request.Stack, plan, new KubernetesDeployOptions
            {
                Detach = request.Detach,
                Timeout = request.Timeout,
                PruneVolumes = request.Volumes,
                Recreate = request.Recreate,
            }, cancellationToken).ConfigureAwait(false);
            var deployed = new StackDeployResult(Orchestrator, request.Stack)
            {
                Namespace = cluster.Namespace,
                Created = result.Created,
                Updated = result.Updated,
                Unchanged = result.Unchanged,
                Removed = result.Removed,
                Collisions = [.. result.Collisions.Select(c => new StackCollision(c.Kind, c.Name, c.Reason))],
                Replaced = result.Replaced,
                Refusals = [.. result.Refusals.Select(Refusal).OfType<StackRefusal>()],
                Writes = result.Writes,
                Converged = result.Converged,
                Failures = result.Failures,
                Timeout = request.Timeout,
                Elapsed = DateTime.UtcNow - started,
                PolicyCheck = verdict,
            };
            return deployed.Converged && deployed.Collisions.IsEmpty
                ? deployed with { Revision = await RecordAsync(cluster, request, deployed, events, cancellationToken).ConfigureAwait(false) }
                : deployed;
        });
    }

    public Task<ImmutableArray<StackSummary>> ListAsync(StackListOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return RunAsync(async cluster =>
        {
            var stacks = await StackReader.ListStacksAsync(cluster.Client, options.AllNamespaces ? null : cluster.Namespace, cancellationToken).ConfigureAwait(false);
            return stacks
                .OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Namespace, StringComparer.Ordinal)
                .Select(s => new StackSummary(s.Name, s.Services, Orchestrator, s.Namespace))
                .ToImmutableArray();
        });
    }

    public Task<ImmutableArray<StackServiceInfo>> ServicesAsync(string stack, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var matches = ClientFilters.Parse(stack, filters, ClientFilters.ServiceKeys);
        return RunAsync(async cluster =>
        {
            var services = await StackReader.ListServicesAsync(cluster.Client, cluster.Namespace, stack, cancellationToken).ConfigureAwait(false);
            return services
                .Where(s => matches.Matches(key => key switch { "id" => s.Id, "mode" => s.Mode, "name" => s.Name, _ => null }))
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .Select(s => new StackServiceInfo(
                    s.Id,
                    s.Name,
                    s.Mode,
                    new ReplicaCounts(Count(s.Ready), Count(s.Desired)) { Job = s.Completions is { } jobs ? (Count(jobs.Succeeded), Count(jobs.Completions)) : null },
                    s.Image,
                    s.Ports))
                .ToImmutableArray();
        });
    }

    public Task<ImmutableArray<StackTaskInfo>> TasksAsync(string stack, IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        var matches = ClientFilters.Parse(stack, filters, ClientFilters.PodKeys);
        return RunAsync(async cluster =>
        {
            var pods = await StackReader.ListPodsAsync(cluster.Client, cluster.Namespace, stack, cancellationToken).ConfigureAwait(false);
            return pods
                .Where(p => matches.Matches(key => key switch { "id" => p.Id, "name" => p.Name, "node" => p.Node, "service" => p.Service, _ => null }))
                .OrderBy(p => p.Service, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => new StackTaskInfo(p.Id, p.Name, p.Image, p.Image, p.Node, "Running", p.Status, null, p.Reason, string.Empty, p.CreatedAt, p.UpdatedAt)
                {
                    Restarts = p.Restarts,
                })
                .ToImmutableArray();
        });
    }

    public Task<StackRemoveResult> RemoveAsync(string stack, StackRemoveOptions options, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        return RunAsync(async cluster =>
        {
            var result = await KubernetesStackRemover.RemoveAsync(cluster.Client, cluster.Namespace, stack, options.Volumes, cancellationToken).ConfigureAwait(false);

            // Deletes within a group run concurrently; the events follow the removal order the result keeps.
            foreach (var removed in result.Removed)
            {
                var slash = removed.IndexOf('/', StringComparison.Ordinal);
                events.Publish(new ObjectWriting(ObjectStep.Remove, removed[..slash], removed[(slash + 1)..]));
            }

            return new StackRemoveResult(stack, result.Removed, result.KeptVolumes);
        });
    }

    public void Dispose() => _cluster?.Dispose();

    private static StackRefusal? Refusal(ObjectChange change)
        => change.Refused is { } r ? new StackRefusal(change.Kind, change.Name, r.Message, r.Hint, r.Recreatable) : null;

    private static ulong Count(int value) => (ulong)Math.Max(0, value);

    /// <summary>The namespace's Pod Security labels when the request asks for them (one read, no write).</summary>
    private static Task<Berth.Policy.PodSecurityPolicy?> NamespaceLabelsAsync(KubernetesCluster cluster, StackDeployRequest request, IStackEventSink events, CancellationToken cancellationToken)
        => request.NamespaceLabels is { } given ? Task.FromResult(NamespacePodSecurity.FromLabels(cluster.Namespace, given))
            : request.NamespacePodSecurity ? NamespacePodSecurity.ReadAsync(cluster, events, cancellationToken)
            : Task.FromResult<Berth.Policy.PodSecurityPolicy?>(null);

    /// <summary>The plan for the cluster's namespace, or null (diagnostics published) when the stack cannot run on Kubernetes as written.</summary>
    private static KubernetesPlan? Convert(KubernetesCluster cluster, StackDeployRequest request, IStackEventSink events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var plan = KubernetesConverter.Convert(request.Project, new KubernetesConvertOptions
        {
            PublishedServiceType = request.ServiceType,
            NetworkPolicies = request.NetworkPolicies,
            Namespace = cluster.Namespace,
            StackName = request.Stack,
            FileContents = History.RevisionHistory.Contents(request),
        });
        events.Publish(new StackConverted(StackOrchestrator.Kubernetes, plan.Diagnostics));
        if (plan.HasErrors)
        {
            return null;
        }

        return request.OwnerReference is { } owner
            ? OwnerReferences.Stamp(plan, new k8s.Models.V1OwnerReference { ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = owner.Name, Uid = owner.Uid, Controller = true })
            : plan;
    }

    /// <summary>
    /// Resolves the cluster (once), runs, and turns cluster failures (unreachable, credentials, RBAC, API errors) into
    /// <see cref="StackOrchestratorException"/>. Anything else is a bug and propagates as it is.
    /// </summary>
    private async Task<T> RunAsync<T>(Func<KubernetesCluster, Task<T>> action)
    {
        KubernetesCluster cluster;
        try
        {
            cluster = _cluster ??= KubernetesCluster.Connect(access, environment);
        }
        catch (KubernetesAccessException ex)
        {
            throw new StackOrchestratorException(ex.Message, ex.Hint, ex);
        }

        try
        {
            return await action(cluster).ConfigureAwait(false);
        }
        catch (KubernetesAccessException ex)
        {
            throw new StackOrchestratorException(ex.Message, ex.Hint, ex);
        }
        // An exception thrown by Explain inside the filter counts as "not explained": the original exception propagates.
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not StackOrchestratorException && cluster.Explain(ex) is { } explained)
        {
            throw new StackOrchestratorException(explained.Message, explained.Hint, ex);
        }
    }
}
