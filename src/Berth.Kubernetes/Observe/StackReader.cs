using System.Collections.Immutable;
using k8s;

namespace Berth.Kubernetes.Observe;

/// <summary>A stack found by its <c>com.docker.stack.namespace</c> label (Berth, compose-on-kubernetes or an earlier Berth).</summary>
public sealed record StackSummary(string Name, string Namespace, int Services);

/// <summary>
/// One Compose service on Kubernetes: its workload, replicas and how to reach it. Id is the workload's uid (first 12
/// characters); Mode is replicated, global (DaemonSet) or job; Ports e.g. <c>203.0.113.7:80-&gt;80/TCP</c>
/// (LoadBalancer), <c>*:30080-&gt;80/TCP</c> (NodePort), <c>80/TCP</c> (cluster only).
/// </summary>
public sealed record StackServiceStatus(string Id, string Name, string Kind, string Mode, int Desired, int Ready, string Image, string Ports);

/// <summary>
/// One pod of a stack. Status is Running, Pending, Succeeded, Failed or the waiting reason (e.g. CrashLoopBackOff);
/// Reason says why it is not running or ready (e.g. <c>ImagePullBackOff: back-off pulling image "x"</c>), empty when healthy.
/// </summary>
public sealed record StackPodStatus(string Id, string Name, string Service, string Image, string Node, string Status, int Restarts, string Reason);

/// <summary>Reads stacks, their services and pods by label; never writes.</summary>
public static class StackReader
{
    /// <summary>Stacks in <paramref name="namespace"/>, or in every namespace when it is null.</summary>
    public static Task<ImmutableArray<StackSummary>> ListStacksAsync(IKubernetes client, string? @namespace, CancellationToken cancellationToken)
        => throw new NotImplementedException(string.Join(",", client, @namespace, cancellationToken));

    public static Task<ImmutableArray<StackServiceStatus>> ListServicesAsync(IKubernetes client, string @namespace, string stack, CancellationToken cancellationToken)
        => throw new NotImplementedException(string.Join(",", client, @namespace, stack, cancellationToken));

    public static Task<ImmutableArray<StackPodStatus>> ListPodsAsync(IKubernetes client, string @namespace, string stack, CancellationToken cancellationToken)
        => throw new NotImplementedException(string.Join(",", client, @namespace, stack, cancellationToken));
}
