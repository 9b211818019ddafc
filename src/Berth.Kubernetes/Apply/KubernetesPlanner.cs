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
            var planned = new PlannedObject(desired, kind, live, references)
            {
                ReplicasFromAutoscaler = autoscaled.Contains($"{desired.Kind}/{name}"),
                Replaces = kind.IsWorkload && live is null ? OtherKind(state, desired.Kind, name, stack) : null,
            };
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
                changes.Add(new ObjectChange(action, item.Desired.Kind, item.Desired.Metadata.Name, decision.Fields, decision.Reason) { Refused = decision.Refused });
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
            return item.Replaces is { } old ? KindChange(item, body, old) : new ObjectDecision(ObjectAction.Create, [], body, null);
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
        if (MustReplace(item.Desired.Kind, fields))
        {
            return new ObjectDecision(ObjectAction.Update, fields, body, ReplaceReason);
        }

        var refused = ImmutableFields.Refused(item.Desired.Kind, fields, body, live);
        if (refused.IsEmpty)
        {
            return new ObjectDecision(ObjectAction.Update, fields, body, null);
        }

        var reason = $"{string.Join(", ", refused)} cannot change once set: deleted and created again";
        return new ObjectDecision(ObjectAction.Replace, refused, body, reason) { Refused = Unsafe(item.Desired.Kind, item.Desired.Metadata.Name, refused, body, live) };
    }

    /// <summary>
    /// Why replacing this object is not done without being asked: a StatefulSet (its pods' claims hold data; <c>--recreate</c>
    /// keeps them) or a claim (its data would go). Null when a replacement loses nothing (Services, stateless workloads, Secrets).
    /// </summary>
    private static Refusal? Unsafe(string kind, string name, ImmutableArray<string> refused, JsonObject body, JsonObject live)
    {
        var fields = string.Join(", ", refused);
        switch (kind)
        {
            case "StatefulSet":
            {
                var claims = ImmutableFields.StatefulSetClaims(live);
                var held = claims.IsEmpty ? string.Empty : $"; its pods' claims {string.Join(", ", claims)} hold data";
                var recreate = "or deploy again with --recreate: the StatefulSet is deleted with propagationPolicy=Orphan (its pods and claims stay) and created again, and the same claim names re-attach";
                var sizes = refused.Where(f => f.StartsWith("spec.volumeClaimTemplates", StringComparison.Ordinal) && f.EndsWith("resources.requests.storage", StringComparison.Ordinal)).ToList();
                var hint = sizes.Count > 0 && !claims.IsEmpty
                    ? $"a claim template only shapes new claims: grow each existing claim ({string.Join(", ", claims)}) with kubectl patch pvc {claims[0]} -p '{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"{StorageOf(body, sizes[0])}\"}}}}}}}}' where its StorageClass allows expansion, {recreate} (existing claims keep their size)"
                    : $"keep the old value in the file, {recreate}";
                return new Refusal($"StatefulSet {name}: {fields} cannot change on an existing StatefulSet (the API server refuses it){held}; Berth does not delete it without being asked", hint, Recreatable: true);
            }

            case "PersistentVolumeClaim":
                return new Refusal(
                    $"PersistentVolumeClaim {name}: {fields} cannot change on an existing claim (the API server refuses it); replacing the claim would delete its data",
                    "keep the claim's old settings in the file, or migrate explicitly: use a new volume name, copy the data over, then delete the old claim (deploy --volumes prunes it)",
                    Recreatable: false);
            default:
                return null;
        }
    }

    /// <summary>The desired storage of the claim template a changed path points into (<c>spec.volumeClaimTemplates[0]…</c>).</summary>
    private static string StorageOf(JsonObject body, string path)
    {
        var open = path.IndexOf('[', StringComparison.Ordinal);
        var close = path.IndexOf(']', StringComparison.Ordinal);
        return open > 0 && close > open && int.TryParse(path[(open + 1)..close], System.Globalization.CultureInfo.InvariantCulture, out var index)
            ? (string?)body["spec"]?["volumeClaimTemplates"]?[index]?["spec"]?["resources"]?["requests"]?["storage"] ?? "<size>"
            : "<size>";
    }

    /// <summary>
    /// The workload changes kind (Deployment ↔ StatefulSet, ↔ DaemonSet): the new one is created and the old one pruned.
    /// Refused when the old one's pods used claims the new one's do not: their data would stay behind, detached.
    /// </summary>
    private static ObjectDecision KindChange(PlannedObject item, JsonObject body, IKubernetesObject<V1ObjectMeta> old)
    {
        var name = item.Desired.Metadata.Name;
        var reason = $"replaces {old.Kind} {name}: the workload changes kind";
        var oldClaims = ImmutableFields.Claims(LiveJson.Serialize(old));
        var newClaims = ImmutableFields.Claims(body);
        var detached = oldClaims.Except(newClaims, StringComparer.Ordinal).ToList();
        if (detached.Count == 0)
        {
            return new ObjectDecision(ObjectAction.Replace, [], body, reason);
        }

        var uses = newClaims.IsEmpty ? "no claim" : $"claim{(newClaims.Length == 1 ? string.Empty : "s")} {string.Join(", ", newClaims)}";
        return new ObjectDecision(ObjectAction.Replace, [], body, reason)
        {
            Refused = new Refusal(
                $"{item.Desired.Kind} {name} would replace {old.Kind} {name}: the data in claim{(detached.Count == 1 ? string.Empty : "s")} {string.Join(", ", detached)} would be left behind, detached (the new {item.Desired.Kind} would use {uses})",
                $"Kubernetes cannot rename a claim, so Berth cannot re-attach it: keep the workload's kind (a volume only this service uses makes a StatefulSet, a shared one a Deployment), or migrate explicitly (deploy the new workload under another name, copy the data from {detached[0]}, then remove the old one)",
                Recreatable: false),
        };
    }

    /// <summary>A workload of the stack with this name but another workload kind: the one the planned workload replaces.</summary>
    private static IKubernetesObject<V1ObjectMeta>? OtherKind(LiveState state, string kind, string name, string stack)
        => ResourceKinds.Workloads.Where(k => k.Kind != kind)
            .Select(k => state.Find(k.Kind, name))
            .FirstOrDefault(o => o is not null && LiveState.Owner(o) == stack);

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

    /// <summary>The stack's workload of another kind with this name, which this one replaces (pruned after the writes).</summary>
    public IKubernetesObject<V1ObjectMeta>? Replaces { get; init; }
}

/// <summary>What to do with one object (null action: leave it) and the body an apply sends.</summary>
internal sealed record ObjectDecision(ObjectAction? Action, ImmutableArray<string> Fields, JsonObject? Body, string? Reason)
{
    /// <summary>A replacement not made without being asked (see <see cref="Refusal"/>).</summary>
    public Refusal? Refused { get; init; }

    public static ObjectDecision Unchanged(JsonObject body) => new(null, [], body, null);
}

/// <summary>
/// The planner's full result: what <see cref="KubernetesPlanner.PlanAsync"/> reports and what the deployer applies;
/// <see cref="Revisions"/> holds the resource versions of the stack's Secrets/ConfigMaps this deploy leaves unchanged.
/// </summary>
internal sealed record PlannedDeploy(KubernetesChangeSet ChangeSet, IReadOnlyList<PlannedObject> Objects, IReadOnlyDictionary<string, ObjectDecision> Decisions, ImmutableArray<ObjectChange> Removals, IReadOnlyDictionary<string, string> Revisions);
