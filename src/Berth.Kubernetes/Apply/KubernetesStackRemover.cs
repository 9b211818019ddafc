using System.Collections.Immutable;
using k8s;

namespace Berth.Kubernetes.Apply;

/// <summary>What <c>stack rm</c> did: objects deleted (<c>Kind/name</c>) and claims kept because <c>--volumes</c> was not given.</summary>
public sealed record KubernetesRemoveResult(ImmutableArray<string> Removed, ImmutableArray<string> KeptVolumes)
{
    public bool Found => !Removed.IsEmpty || !KeptVolumes.IsEmpty;
}

/// <summary>Deletes every object carrying the stack's label in the namespace (claims only with volumes); nothing else.</summary>
public static class KubernetesStackRemover
{
    public static Task<KubernetesRemoveResult> RemoveAsync(IKubernetes client, string @namespace, string stack, bool volumes, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
