using System.Collections.Concurrent;
using System.Collections.Immutable;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Observe;
using Berth.Stacks;
using Berth.Stacks.Events;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// Applies a plan with server-side apply (field manager <c>berth</c>) in dependency order, after checking every
/// name for collisions (any collision: nothing is changed); prunes the stack's objects the plan no longer names;
/// then waits for rollouts unless detached. What it does is published to <paramref name="events"/> as typed events.
/// </summary>
internal sealed class KubernetesDeployer(IKubernetes client, string @namespace, IStackEventSink events)
{
    public const string FieldManager = "berth";

    public async Task<KubernetesDeployResult> DeployAsync(string stack, KubernetesPlan plan, KubernetesDeployOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var api = new ApiCalls(client, events);
        var state = await LiveState.ReadAsync(api, @namespace, plan, cancellationToken).ConfigureAwait(false);
        var planned = KubernetesPlanner.Compute(plan, state, stack, @namespace, options.PruneVolumes);
        var collisions = planned.ChangeSet.Collisions;
        if (!collisions.IsEmpty)
        {
            return new KubernetesDeployResult([], [], [], [], collisions, api.Writes, false, []);
        }

        // A replacement that would lose or detach data stops the deploy before anything is written.
        var refusals = planned.ChangeSet.Refusals.Where(r => !(options.Recreate && r.Refused!.Recreatable)).ToImmutableArray();
        if (!refusals.IsEmpty)
        {
            return new KubernetesDeployResult([], [], [], [], [], api.Writes, false, []) { Refusals = refusals };
        }

        var created = new ConcurrentBag<string>();
        var updated = new ConcurrentBag<string>();
        var replaced = new ConcurrentBag<string>();
        var unchanged = new ConcurrentBag<string>();

        // Resource versions of the stack's Secrets/ConfigMaps: the planner's for the unchanged ones, the server's
        // answers for the ones written below, before the workloads' config revision is decided.
        var revisions = new ConcurrentDictionary<string, string>(planned.Revisions, StringComparer.Ordinal);

        if (!plan.Objects.Any(o => o.Kind == "Namespace") && state.IsEmpty)
        {
            await EnsureNamespaceAsync(api, cancellationToken).ConfigureAwait(false);
        }

        var parallelism = Math.Max(1, options.Parallelism);
        foreach (var group in planned.Objects.GroupBy(o => o.Kind?.Rank ?? 0).OrderBy(g => g.Key))
        {
            await Parallel.ForEachAsync(group, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
            {
                var decision = item.Kind is { IsWorkload: true } ? KubernetesPlanner.Decide(item, @namespace, revisions) : planned.Decisions[item.Id];
                if (decision.Action is not { } action)
                {
                    unchanged.Add(item.Id);
                    return;
                }

                api.Publish(action switch
                {
                    ObjectAction.Create => new ObjectWriting(ObjectStep.Create, item.Desired.Kind, item.Desired.Metadata.Name),
                    ObjectAction.Replace => new ObjectWriting(ObjectStep.Replace, item.Desired.Kind, item.Desired.Metadata.Name) { Fields = decision.Fields, Replaces = item.Replaces?.Kind },
                    _ => new ObjectWriting(ObjectStep.Update, item.Desired.Kind, item.Desired.Metadata.Name) { Fields = decision.Fields },
                });
                var body = new V1Patch(decision.Body!.ToJsonString(), V1Patch.PatchType.ApplyPatch);
                if (action == ObjectAction.Replace && item.Live is not null && item.Kind is { } immutable)
                {
                    // A StatefulSet goes with Orphan: its pods and claims stay, and the new one takes them over by name.
                    await DeleteAsync(api, immutable, item.Desired.Metadata.Name, @namespace, ct, orphan: immutable.Kind == "StatefulSet").ConfigureAwait(false);
                }
                else if (action == ObjectAction.Update && item.Kind is { } replaced && KubernetesPlanner.MustReplace(replaced.Kind, decision.Fields))
                {
                    api.Publish(new ObjectWriting(ObjectStep.Replace, item.Desired.Kind, item.Desired.Metadata.Name));
                    await DeleteAsync(api, replaced, item.Desired.Metadata.Name, @namespace, ct).ConfigureAwait(false);
                }

                IKubernetesObject<V1ObjectMeta> result;
                try
                {
                    result = item.Kind is { } kind
                        ? await api.Write(c => kind.Apply(c, body, item.Desired.Metadata.Name, @namespace, ct)).ConfigureAwait(false)
                        : await api.Write(c => ResourceKinds.ApplyNamespaceAsync(c, body, item.Desired.Metadata.Name, ct)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The error itself is explained by the caller; this line says which object it was.
                    api.Publish(new ObjectWriteFailed(action == ObjectAction.Create ? ObjectStep.Create : ObjectStep.Update, item.Desired.Kind, item.Desired.Metadata.Name, null));
                    throw;
                }

                if (item.Desired.Kind is "Secret" or "ConfigMap" && result.Metadata?.ResourceVersion is { } rv)
                {
                    revisions[item.Id] = rv;
                }

                (action == ObjectAction.Update ? updated : created).Add(item.Id);
                if (action == ObjectAction.Replace)
                {
                    replaced.Add(item.Id);
                }
            }).ConfigureAwait(false);
        }

        var removed = await PruneAsync(api, @namespace, planned.Removals, options.Parallelism, cancellationToken).ConfigureAwait(false);
        var order = planned.Objects.Select((o, i) => (o.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        ImmutableArray<string> InPlanOrder(IEnumerable<string> ids) => [.. ids.OrderBy(id => order[id])];
        var converged = true;
        ImmutableArray<string> failures = [];
        if (!options.Detach)
        {
            var workloads = planned.Objects
                .Where(o => o.Kind is { IsWorkload: true })
                .Select(o => new WorkloadRef(o.Desired.Kind, o.Desired.Metadata.Name, ServiceOf(o.Desired)))
                .ToList();
            if (workloads.Count > 0)
            {
                var rollout = await new RolloutWaiter(client, @namespace, events)
                    .WaitAsync(stack, workloads, options.Timeout, options.FailFastAfter, options.PollInterval, cancellationToken).ConfigureAwait(false);
                converged = rollout.Converged;
                failures = rollout.Failures;
            }
        }

        return new KubernetesDeployResult(InPlanOrder(created), InPlanOrder(updated), InPlanOrder(unchanged), removed, [], api.Writes, converged, failures) { Replaced = InPlanOrder(replaced) };
    }

    /// <summary>
    /// Deletes the stack's objects the plan no longer names, users before what they use (workloads, then Services,
    /// then Secrets/ConfigMaps, claims last), Background propagation so pods go with their workloads.
    /// </summary>
    internal static async Task<ImmutableArray<string>> PruneAsync(ApiCalls api, string @namespace, IEnumerable<ObjectChange> removals, int parallelism, CancellationToken cancellationToken)
    {
        var removed = new ConcurrentBag<(int Index, string Id)>();
        var ordered = removals.Select((r, i) => (Change: r, Index: i)).ToList();
        foreach (var group in ordered.GroupBy(r => ResourceKinds.DeleteRank(r.Change.Kind)).OrderBy(g => g.Key))
        {
            await Parallel.ForEachAsync(group, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken }, async (entry, ct) =>
            {
                var kind = ResourceKinds.Find(entry.Change.Kind)!;
                api.Publish(new ObjectWriting(ObjectStep.Remove, entry.Change.Kind, entry.Change.Name));
                await DeleteAsync(api, kind, entry.Change.Name, @namespace, ct).ConfigureAwait(false);
                removed.Add((entry.Index, entry.Change.Id));
            }).ConfigureAwait(false);
        }

        return [.. removed.OrderBy(r => r.Index).Select(r => r.Id)];
    }

    /// <summary>Deletes one object with Background propagation (its pods go with it), or Orphan; already gone counts as done.</summary>
    private static async Task DeleteAsync(ApiCalls api, ResourceKind kind, string name, string @namespace, CancellationToken cancellationToken, bool orphan = false)
    {
        try
        {
            await api.Write(c => orphan
                ? c.AppsV1.DeleteNamespacedStatefulSetAsync(name, @namespace, propagationPolicy: "Orphan", cancellationToken: cancellationToken)
                : kind.Delete(c, name, @namespace, cancellationToken)).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone (another client, or a rerun after an interrupted removal): the goal is reached.
        }
        catch (System.Text.Json.JsonException)
        {
            // The delete succeeded (2xx) but the client expected the object and got a Status, or the reverse
            // (servers differ per resource and version); the answer is not needed.
        }
    }

    private static string ServiceOf(IKubernetesObject<V1ObjectMeta> workload)
        => workload.Metadata.Labels is { } labels && labels.TryGetValue(StackLabels.ServiceName, out var service) ? service : workload.Metadata.Name;

    /// <summary>Nothing of the stack is there and the plan has no Namespace object (e.g. a namespace given on the command line): create it when missing.</summary>
    private async Task EnsureNamespaceAsync(ApiCalls api, CancellationToken cancellationToken)
    {
        if (await LiveState.ReadNamespaceAsync(api, @namespace, cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        api.Publish(new ObjectWriting(ObjectStep.Create, "Namespace", @namespace) { Cause = UpdateCause.NamespaceMissing });
        var body = new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta
            {
                Name = @namespace,
                Labels = new Dictionary<string, string> { [StackLabels.AppManagedBy] = StackLabels.ManagedByBerth },
            },
        };
        await api.Write(c => ResourceKinds.ApplyNamespaceAsync(c, new V1Patch(KubernetesJson.Serialize(body), V1Patch.PatchType.ApplyPatch), @namespace, cancellationToken)).ConfigureAwait(false);
    }
}
