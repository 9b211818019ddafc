using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Convert;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>Compares a plan with what the namespace holds: creates, updates (changed field paths), removals (prune) and collisions. Reads only.</summary>
internal static class KubernetesPlanner
{
    public static async Task<KubernetesChangeSet> PlanAsync(IKubernetes client, string @namespace, string stack, KubernetesPlan plan, bool pruneVolumes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var api = new ApiCalls(client, Berth.Stacks.Events.StackEventSink.None);
        var state = await LiveState.ReadAsync(api, @namespace, plan, cancellationToken).ConfigureAwait(false);
        return Compute(plan, state, stack, @namespace, pruneVolumes).ChangeSet;
    }

    /// <summary>The change set and, per planned object, what to do with it and the body to send. Pure.</summary>
    internal static PlannedDeploy Compute(KubernetesPlan plan, LiveState state, string stack, string @namespace, bool pruneVolumes)
    {
        var stackObjects = plan.Objects.Where(o => o.Kind is "Secret" or "ConfigMap").Select(o => $"{o.Kind}/{o.Metadata.Name}").ToHashSet(StringComparer.Ordinal);

        // Workloads an autoscaler of the plan scales: their replica count is the autoscaler's, never re-sent by Berth.
        var autoscaled = plan.Objects.OfType<V2HorizontalPodAutoscaler>()
            .Select(h => $"{h.Spec?.ScaleTargetRef?.Kind}/{h.Spec?.ScaleTargetRef?.Name}")
            .ToHashSet(StringComparer.Ordinal);
        var items = new List<PlannedObject>();
        var changes = ImmutableArray.CreateBuilder<ObjectChange>();
        var unchanged = ImmutableArray.CreateBuilder<string>();
        var decided = new Dictionary<string, ObjectDecision>(StringComparer.Ordinal);

        // Resource versions of the stack's Secrets/ConfigMaps that this deploy leaves alone; the ones it writes get new ones.
        var revisions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var desired in plan.Objects)
        {
            var name = desired.Metadata.Name;
            if (desired.Kind == "Namespace")
            {
                var item = new PlannedObject(desired, null, state.Namespace, []);
                items.Add(item);
                decided[item.Id] = state.Namespace is { } ns && LiveState.Owner(ns) != stack
                    ? ObjectDecision.Unchanged(AppliedObject.Build(desired, @namespace, null)) // someone else's namespace: used, never changed
                    : Decide(item, @namespace, revisions);
                continue;
            }

            var kind = ResourceKinds.Find(desired.Kind) ?? throw new InvalidOperationException($"Berth cannot apply objects of kind {desired.Kind}");
            var live = state.Find(desired.Kind, name);
            var references = kind.IsWorkload ? ConfigRevision.References(desired, stackObjects) : [];
            var planned = new PlannedObject(desired, kind, live, references) { ReplicasFromAutoscaler = autoscaled.Contains($"{desired.Kind}/{name}") };
            items.Add(planned);
            if (live is not null && LiveState.Owner(live) != stack)
            {
                var owner = LiveState.Owner(live);
                var reason = owner is null ? "exists and was not created by a stack" : $"exists and is owned by stack {owner}";
                decided[planned.Id] = new ObjectDecision(ObjectAction.Collision, [], null, reason);
                continue;
            }

            var decision = Decide(planned, @namespace, revisions);
            decided[planned.Id] = decision;
            if (desired.Kind is "Secret" or "ConfigMap" && decision.Action is null && live?.Metadata?.ResourceVersion is { } rv)
            {
                revisions[planned.Id] = rv;
            }
        }

        foreach (var item in items)
        {
            var decision = decided[item.Id];
            if (decision.Action is { } action)
            {
                changes.Add(new ObjectChange(action, item.Desired.Kind, item.Desired.Metadata.Name, decision.Fields, decision.Reason));
            }
            else
            {
                unchanged.Add(item.Id);
            }
        }

        var removals = Removals(plan, state, stack, pruneVolumes);
        changes.AddRange(removals);
        return new PlannedDeploy(new KubernetesChangeSet(changes.ToImmutable(), unchanged.ToImmutable()), items, decided, removals, revisions);
    }

    /// <summary>
    /// Create, update (with the changed fields) or leave alone. <paramref name="revisions"/> holds the resource
    /// versions of referenced Secrets/ConfigMaps; a missing one (about to be written) never matches the live annotation.
    /// </summary>
    internal static ObjectDecision Decide(PlannedObject item, string @namespace, IReadOnlyDictionary<string, string> revisions)
    {
        var body = AppliedObject.Build(item.Desired, @namespace, ConfigRevision.Value(item.References, revisions), item.ReplicasFromAutoscaler);
        if (item.Live is null)
        {
            return new ObjectDecision(ObjectAction.Create, [], body, null);
        }

        var hash = (string?)body["metadata"]?["annotations"]?[AppliedObject.HashAnnotation];
        var dataEqual = item.Desired is not V1Secret secret || SameData(secret.Data, (item.Live as V1Secret)?.Data);
        if (hash == AppliedObject.LiveHash(item.Live) && dataEqual)
        {
            return ObjectDecision.Unchanged(body);
        }

        var live = LiveJson.Serialize(item.Live);
        var fields = FieldDiff.Changed(body, live, KubernetesDeployer.FieldManager);
        if (!dataEqual)
        {
            fields = [.. fields.Append("data").Order(StringComparer.Ordinal)];
        }

        // The hash differs but no field does: written by another tool or an older Berth (no or other hash).
        fields = fields.IsEmpty ? ["metadata.annotations[" + AppliedObject.HashAnnotation + "]"] : fields;
        return new ObjectDecision(ObjectAction.Update, fields, body, MustReplace(item.Desired.Kind, fields) ? ReplaceReason : null);
    }

    internal const string ReplaceReason = "replaced: a Job's spec cannot be changed once created";

    /// <summary>A Job's pod template (and most of its spec) is immutable: a changed Job is deleted and created again.</summary>
    internal static bool MustReplace(string kind, IEnumerable<string> fields)
        => kind == "Job" && fields.Any(f => f.StartsWith("spec.", StringComparison.Ordinal));

    private static bool SameData(IDictionary<string, byte[]>? desired, IDictionary<string, byte[]>? live)
    {
        desired ??= new Dictionary<string, byte[]>();
        live ??= new Dictionary<string, byte[]>();
        return desired.Count == live.Count && desired.All(p => live.TryGetValue(p.Key, out var value) && value.AsSpan().SequenceEqual(p.Value));
    }

    private static ImmutableArray<ObjectChange> Removals(KubernetesPlan plan, LiveState state, string stack, bool pruneVolumes)
    {
        var wanted = plan.Objects.Select(o => $"{o.Kind}/{o.Metadata.Name}").ToHashSet(StringComparer.Ordinal);
        var removals = new List<ObjectChange>();
        foreach (var kind in ResourceKinds.All.Where(k => k.Prunable))
        {
            foreach (var live in state.ByKind.GetValueOrDefault(kind.Kind) ?? [])
            {
                var name = live.Metadata?.Name;
                if (name is null || LiveState.Owner(live) != stack || wanted.Contains($"{kind.Kind}/{name}"))
                {
                    continue;
                }

                if (kind.Kind == "PersistentVolumeClaim" && !pruneVolumes)
                {
                    continue;
                }

                removals.Add(new ObjectChange(ObjectAction.Remove, kind.Kind, name, [], "no longer in the stack file"));
            }
        }

        return [.. removals.OrderBy(r => ResourceKinds.DeleteRank(r.Kind)).ThenBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)];
    }
}

/// <summary>One planned object with its live counterpart and, for workloads, the stack's Secrets/ConfigMaps it uses.</summary>
internal sealed record PlannedObject(IKubernetesObject<V1ObjectMeta> Desired, ResourceKind? Kind, IKubernetesObject<V1ObjectMeta>? Live, IReadOnlyList<string> References)
{
    public string Id => $"{Desired.Kind}/{Desired.Metadata.Name}";

    /// <summary>A HorizontalPodAutoscaler of the plan scales this workload: <c>spec.replicas</c> is left to it.</summary>
    public bool ReplicasFromAutoscaler { get; init; }
}

/// <summary>What to do with one object (null action: leave it) and the body an apply sends.</summary>
internal sealed record ObjectDecision(ObjectAction? Action, ImmutableArray<string> Fields, JsonObject? Body, string? Reason)
{
    public static ObjectDecision Unchanged(JsonObject body) => new(null, [], body, null);
}

/// <summary>
/// The planner's full result: what <see cref="KubernetesPlanner.PlanAsync"/> reports and what the deployer applies;
/// <see cref="Revisions"/> holds the resource versions of the stack's Secrets/ConfigMaps this deploy leaves unchanged.
/// </summary>
internal sealed record PlannedDeploy(KubernetesChangeSet ChangeSet, IReadOnlyList<PlannedObject> Objects, IReadOnlyDictionary<string, ObjectDecision> Decisions, ImmutableArray<ObjectChange> Removals, IReadOnlyDictionary<string, string> Revisions);
