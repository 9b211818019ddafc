using System.Collections.Immutable;
using System.Net;
using Berth.Kubernetes.Convert;
using Berth.Stacks;
using k8s.Autorest;
using k8s.Models;
using k8s;

namespace Berth.Kubernetes.Apply;

/// <summary>What the namespace holds, from one unfiltered LIST per relevant kind (so foreign objects with a planned name are seen) and the Namespace object when the plan has one.</summary>
internal sealed record LiveState(ImmutableDictionary<string, IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ByKind, V1Namespace? Namespace)
{
    public IKubernetesObject<V1ObjectMeta>? Find(string kind, string name)
        => ByKind.TryGetValue(kind, out var objects) ? objects.FirstOrDefault(o => o.Metadata?.Name == name) : null;

    public bool IsEmpty => ByKind.Values.All(v => v.Count == 0);

    public static string? Owner(IKubernetesObject<V1ObjectMeta> live)
        => live.Metadata?.Labels is { } labels && labels.TryGetValue(StackLabels.StackNamespace, out var stack) ? stack : null;

    public static async Task<LiveState> ReadAsync(ApiCalls api, string @namespace, KubernetesPlan plan, CancellationToken cancellationToken)
    {
        var kinds = ResourceKinds.All.Where(k => k.Prunable || plan.Objects.Any(o => o.Kind == k.Kind)).ToList();
        var lists = kinds.Select(k => plan.Objects.Any(o => o.Kind == k.Kind)
            ? api.Read(c => k.List(c, @namespace, null, cancellationToken))
            : ListForPruneAsync(api, k, @namespace, null, tolerateForbidden: true, cancellationToken)).ToList();
        var namespaceObject = plan.Objects.FirstOrDefault(o => o.Kind == "Namespace");
        var reading = namespaceObject is null ? Task.FromResult<V1Namespace?>(null) : ReadNamespaceAsync(api, namespaceObject.Metadata.Name, cancellationToken);
        await Task.WhenAll([.. lists, reading]).ConfigureAwait(false);
        var byKind = ImmutableDictionary.CreateBuilder<string, IReadOnlyList<IKubernetesObject<V1ObjectMeta>>>(StringComparer.Ordinal);
        for (var i = 0; i < kinds.Count; i++)
        {
            // A stack's history Secrets are not stack objects: never planned, pruned or collided with.
            byKind[kinds[i].Kind] = [.. (await lists[i].ConfigureAwait(false)).Where(o => !StackRevisionLabels.IsRevision(o.Metadata?.Labels))];
        }

        return new LiveState(byKind.ToImmutable(), await reading.ConfigureAwait(false));
    }

    /// <summary>
    /// Lists a kind only prune or removal needs. A kind the server does not serve (404: an API group the cluster lacks)
    /// holds nothing; one the user may not list (403) is skipped by prune when <paramref name="tolerateForbidden"/>
    /// (the deploy itself needs no access to it). Both are logged and treated as empty.
    /// </summary>
    public static async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ListForPruneAsync(ApiCalls api, ResourceKind kind, string @namespace, string? selector, bool tolerateForbidden, CancellationToken cancellationToken)
    {
        try
        {
            return await api.Read(c => kind.List(c, @namespace, selector, cancellationToken)).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound || (tolerateForbidden && ex.Response?.StatusCode == HttpStatusCode.Forbidden))
        {
            api.Publish(new Berth.Stacks.Events.KindSkipped(kind.Resource, ex.Response.StatusCode == HttpStatusCode.NotFound));
            return [];
        }
    }

    /// <summary>
    /// The Namespace, or null when it does not exist. A user limited to the namespace may not read the Namespace
    /// object (403): it is then taken as existing and not Berth's, so it is left alone.
    /// </summary>
    public static async Task<V1Namespace?> ReadNamespaceAsync(ApiCalls api, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await api.Read(c => c.CoreV1.ReadNamespaceAsync(name, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Forbidden)
        {
            api.Publish(new Berth.Stacks.Events.NamespaceNotReadable(name));
            return new V1Namespace { Metadata = new V1ObjectMeta { Name = name } };
        }
    }
}
