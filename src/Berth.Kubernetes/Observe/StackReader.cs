using System.Collections.Immutable;
using Berth.Stacks;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>A stack found by its <c>com.docker.stack.namespace</c> label (Berth, compose-on-kubernetes or an earlier Berth).</summary>
internal sealed record StackSummary(string Name, string Namespace, int Services);

/// <summary>
/// One Compose service on Kubernetes: its workload, replicas and how to reach it. Id is the workload's uid (first 12
/// characters); Mode is replicated, global (DaemonSet) or job; Ports e.g. <c>203.0.113.7:80-&gt;80/TCP</c>
/// (LoadBalancer), <c>*:30080-&gt;80/TCP</c> (NodePort), <c>80/TCP</c> (cluster only).
/// </summary>
internal sealed record StackServiceStatus(string Id, string Name, string Kind, string Mode, int Desired, int Ready, string Image, string Ports)
{
    /// <summary>Jobs: pods that succeeded and the completions wanted, for docker's <c>(2/2 completed)</c>; null otherwise.</summary>
    public (int Succeeded, int Completions)? Completions { get; init; }
}

/// <summary>
/// One pod of a stack. Status is Running, Pending, Succeeded, Failed or the waiting reason (e.g. CrashLoopBackOff);
/// Reason says why it is not running or ready (e.g. <c>ImagePullBackOff: back-off pulling image "x"</c>), empty when healthy.
/// </summary>
internal sealed record StackPodStatus(string Id, string Name, string Service, string Image, string Node, string Status, int Restarts, string Reason)
{
    /// <summary>When the pod was created.</summary>
    public DateTime? CreatedAt { get; init; }

    /// <summary>The pod's latest change: the newest condition transition or container start/finish, else its creation.</summary>
    public DateTime? UpdatedAt { get; init; }
}

/// <summary>
/// Reads stacks, their services and pods by label; never writes. Only the <c>com.docker.*</c> labels are relied on,
/// so stacks made by compose-on-kubernetes (which sets no other label) are read like Berth's.
/// </summary>
internal static class StackReader
{
    /// <summary>Stacks in <paramref name="namespace"/>, or in every namespace when it is null: one LIST per kind.</summary>
    public static async Task<ImmutableArray<StackSummary>> ListStacksAsync(IKubernetes client, string? @namespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var objects = await StackObjects.ReadAsync(client, @namespace, StackLabels.StackNamespace, cancellationToken).ConfigureAwait(false);
        var workloads = objects.Workloads.Select(w => w.Metadata);
        var services = objects.Services.Select(s => s.Metadata);
        return
        [
            .. workloads.Concat(services)
                .Where(m => m?.Labels?.ContainsKey(StackLabels.StackNamespace) == true)
                .GroupBy(m => (Namespace: m.NamespaceProperty ?? @namespace ?? string.Empty, Stack: m.Labels[StackLabels.StackNamespace]))
                .Select(g => new StackSummary(g.Key.Stack, g.Key.Namespace, CountServices(g.Key, objects)))
                .OrderBy(s => s.Namespace, StringComparer.Ordinal)
                .ThenBy(s => s.Name, StringComparer.Ordinal),
        ];
    }

    /// <summary>One row per workload of the stack, with the ports of the stack's Services for its Compose service.</summary>
    public static async Task<ImmutableArray<StackServiceStatus>> ListServicesAsync(IKubernetes client, string @namespace, string stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(stack);
        var objects = await StackObjects.ReadAsync(client, @namespace, Selector(stack), cancellationToken).ConfigureAwait(false);
        return
        [
            .. objects.Workloads
                .Select(w =>
                {
                    var name = ServiceName(w.Metadata) ?? w.Metadata.Name;
                    var ports = PortText.Of(objects.Services.Where(s => (ServiceName(s.Metadata) ?? SelectedService(s)) == name));
                    return WorkloadRow(w, name, ports);
                })
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ThenBy(r => r.Kind, StringComparer.Ordinal),
        ];
    }

    /// <summary>One row per pod of the stack (one LIST), sorted by service then name.</summary>
    public static async Task<ImmutableArray<StackPodStatus>> ListPodsAsync(IKubernetes client, string @namespace, string stack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(stack);
        var pods = await client.CoreV1.ListNamespacedPodAsync(@namespace, labelSelector: Selector(stack), cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = DateTime.UtcNow;
        return
        [
            .. pods.Items
                .Select(p => PodRow(p, now))
                .OrderBy(r => r.Service, StringComparer.Ordinal)
                .ThenBy(r => r.Name, StringComparer.Ordinal),
        ];
    }

    internal static StackPodStatus PodRow(V1Pod pod, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).ToList();
        var waiting = statuses.Select(s => s.State?.Waiting).FirstOrDefault(w => !string.IsNullOrEmpty(w?.Reason));
        var status = pod.Metadata?.DeletionTimestamp is not null ? "Terminating" : waiting?.Reason ?? pod.Status?.Phase ?? "Unknown";
        var reason = PodProblemClassifier.ProblemOf(pod, [], now)?.Text
            ?? (waiting is { Message.Length: > 0 } ? ProblemText.Of(waiting.Reason, waiting.Message) : string.Empty);
        return new StackPodStatus(
            ShortId(pod.Metadata?.Uid),
            pod.Metadata?.Name ?? string.Empty,
            ServiceName(pod.Metadata) ?? string.Empty,
            pod.Spec?.Containers?.FirstOrDefault()?.Image ?? string.Empty,
            pod.Spec?.NodeName ?? string.Empty,
            status,
            (pod.Status?.ContainerStatuses ?? []).Sum(s => s.RestartCount),
            reason)
        {
            CreatedAt = pod.Metadata?.CreationTimestamp,
            UpdatedAt = LastChange(pod, statuses),
        };
    }

    private static DateTime? LastChange(V1Pod pod, List<V1ContainerStatus> statuses)
    {
        var times = (pod.Status?.Conditions ?? []).Select(c => c.LastTransitionTime)
            .Concat(statuses.Select(s => s.State?.Running?.StartedAt))
            .Concat(statuses.Select(s => s.State?.Terminated?.FinishedAt))
            .Append(pod.Status?.StartTime)
            .Append(pod.Metadata?.CreationTimestamp)
            .OfType<DateTime>()
            .ToList();
        return times.Count == 0 ? null : times.Max();
    }

    private static StackServiceStatus WorkloadRow(IKubernetesObject<V1ObjectMeta> workload, string name, string ports)
    {
        var id = ShortId(workload.Metadata.Uid);
        return workload switch
        {
            V1Deployment d => new(id, name, "Deployment", "replicated", d.Spec?.Replicas ?? 1, Math.Min(d.Status?.ReadyReplicas ?? 0, d.Spec?.Replicas ?? 1), Image(d.Spec?.Template), ports),
            V1StatefulSet s => new(id, name, "StatefulSet", "replicated", s.Spec?.Replicas ?? 1, Math.Min(s.Status?.ReadyReplicas ?? 0, s.Spec?.Replicas ?? 1), Image(s.Spec?.Template), ports),
            V1DaemonSet d => new(id, name, "DaemonSet", "global", d.Status?.DesiredNumberScheduled ?? 0, d.Status?.NumberReady ?? 0, Image(d.Spec?.Template), ports),
            V1Job j => JobRow(j, id, name, ports),
            _ => new(id, name, workload.Kind ?? string.Empty, string.Empty, 0, 0, string.Empty, ports),
        };
    }

    /// <summary>
    /// A Job as docker shows a replicated job: pods running of those still wanted (at most parallelism, at most the
    /// completions left) and the completions. Surge pods of a rolling Deployment are likewise never counted above desired.
    /// </summary>
    private static StackServiceStatus JobRow(V1Job job, string id, string name, string ports)
    {
        var completions = job.Spec?.Completions ?? 1;
        var succeeded = job.Status?.Succeeded ?? 0;
        var desired = Math.Min(job.Spec?.Parallelism ?? 1, Math.Max(0, completions - succeeded));
        var running = Math.Min(job.Status?.Ready ?? job.Status?.Active ?? 0, desired);
        return new(id, name, "Job", "job", desired, running, Image(job.Spec?.Template), ports) { Completions = (succeeded, completions) };
    }

    /// <summary>Compose services of a stack: those of its workloads, or of its Services when it has only Services.</summary>
    private static int CountServices((string Namespace, string Stack) stack, StackObjects objects)
    {
        bool Of(V1ObjectMeta? m) => (m?.NamespaceProperty ?? string.Empty) == stack.Namespace && Value(m?.Labels, StackLabels.StackNamespace) == stack.Stack;
        var workloads = objects.Workloads.Where(w => Of(w.Metadata)).Select(w => ServiceName(w.Metadata) ?? w.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        return workloads.Count > 0
            ? workloads.Count
            : objects.Services.Where(s => Of(s.Metadata)).Select(s => ServiceName(s.Metadata) ?? s.Metadata.Name).Distinct(StringComparer.Ordinal).Count();
    }

    private static string Selector(string stack) => $"{StackLabels.StackNamespace}={stack}";

    private static string? ServiceName(V1ObjectMeta? metadata) => Value(metadata?.Labels, StackLabels.ServiceName);

    private static string? SelectedService(V1Service service) => Value(service.Spec?.Selector, StackLabels.ServiceName);

    private static string? Value(IDictionary<string, string>? map, string key) => map is not null && map.TryGetValue(key, out var value) ? value : null;

    private static string Image(V1PodTemplateSpec? template) => template?.Spec?.Containers?.FirstOrDefault()?.Image ?? string.Empty;

    private static string ShortId(string? uid) => uid is null ? string.Empty : uid[..Math.Min(12, uid.Length)];
}
