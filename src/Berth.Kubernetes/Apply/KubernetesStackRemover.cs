using System.Collections.Immutable;
using Berth.Stacks;
using Berth.Stacks.Events;
using k8s;

namespace Berth.Kubernetes.Apply;

/// <summary>What <c>stack rm</c> did: objects deleted (<c>Kind/name</c>) and claims kept because <c>--volumes</c> was not given.</summary>
internal sealed record KubernetesRemoveResult(ImmutableArray<string> Removed, ImmutableArray<string> KeptVolumes)
{
    public bool Found => !Removed.IsEmpty || !KeptVolumes.IsEmpty;
}

/// <summary>Deletes every object carrying the stack's label in the namespace (claims only with volumes); nothing else.</summary>
internal static class KubernetesStackRemover
{
    /// <summary>
    /// Lists each managed kind by the stack label and deletes what it finds: workloads first, then Services, then
    /// Secrets/ConfigMaps, then (with <paramref name="volumes"/>) claims — including those a StatefulSet made from its
    /// claim templates, which carry the pod labels and so the stack label. Namespaces are never deleted.
    /// </summary>
    public static async Task<KubernetesRemoveResult> RemoveAsync(IKubernetes client, string @namespace, string stack, bool volumes, CancellationToken cancellationToken)
        => await RemoveAsync(client, @namespace, stack, volumes, StackEventSink.None, cancellationToken).ConfigureAwait(false);

    /// <summary>As above, publishing an event per object removed (concurrently within a group, so not in result order).</summary>
    public static async Task<KubernetesRemoveResult> RemoveAsync(IKubernetes client, string @namespace, string stack, bool volumes, IStackEventSink events, CancellationToken cancellationToken)
    {
        var api = new ApiCalls(client, events);
        var selector = $"{StackLabels.StackNamespace}={stack}";
        var lists = ResourceKinds.All.Select(k => LiveState.ListForPruneAsync(api, k, @namespace, selector, tolerateForbidden: false, cancellationToken)).ToList();
        await Task.WhenAll(lists).ConfigureAwait(false);
        var removals = new List<ObjectChange>();
        var kept = new List<string>();
        for (var i = 0; i < ResourceKinds.All.Length; i++)
        {
            var kind = ResourceKinds.All[i];
            foreach (var live in (await lists[i].ConfigureAwait(false)).Where(o => o.Metadata?.Name is not null && LiveState.Owner(o) == stack).OrderBy(o => o.Metadata.Name, StringComparer.Ordinal))
            {
                if (kind.Kind == "PersistentVolumeClaim" && !volumes)
                {
                    kept.Add($"{kind.Kind}/{live.Metadata.Name}");
                    continue;
                }

                removals.Add(new ObjectChange(ObjectAction.Remove, kind.Kind, live.Metadata.Name, [], "stack removed"));
            }
        }

        var ordered = removals.OrderBy(r => ResourceKinds.DeleteRank(r.Kind)).ThenBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal);
        var removed = await KubernetesDeployer.PruneAsync(api, @namespace, ordered, KubernetesDeployOptions.DefaultParallelism, cancellationToken).ConfigureAwait(false);
        return new KubernetesRemoveResult(removed, [.. kept]);
    }
}
