using System.Collections.Immutable;
using System.Globalization;
using Berth.Kubernetes.Access;
using Berth.StackService.History;
using Berth.Stacks;
using Berth.Stacks.Events;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// History on Kubernetes: one Secret per revision in the stack's namespace, of type
/// <see cref="StackRevisionLabels.SecretType"/>, labelled with the stack (so <c>berth stack rm</c> removes it) and with
/// <see cref="StackRevisionLabels.Revision"/>, as Helm stores its releases. Deploy and prune never see it.
/// </summary>
internal sealed partial class KubernetesStackService
{
    /// <summary>The API server refuses a Secret whose data is over 1 MiB.</summary>
    private const int SecretLimit = 1024 * 1024;

    private const string DataKey = "revision";

    public Task<StackHistoryResult> HistoryAsync(string stack, CancellationToken cancellationToken) => RunAsync(async cluster =>
    {
        var stored = await ReadHistoryAsync(cluster, stack, cancellationToken).ConfigureAwait(false);
        var exists = !stored.IsEmpty || await StackExistsAsync(cluster, stack, cancellationToken).ConfigureAwait(false);
        return new StackHistoryResult(stack, [.. stored.Select(s => s.Revision)], exists);
    });

    public Task<StackRollbackTarget> PrepareRollbackAsync(string stack, int? revision, CancellationToken cancellationToken) => RunAsync(async cluster =>
    {
        var stored = await ReadHistoryAsync(cluster, stack, cancellationToken).ConfigureAwait(false);
        var exists = !stored.IsEmpty || await StackExistsAsync(cluster, stack, cancellationToken).ConfigureAwait(false);
        var record = StoredRevision.Select(stack, stored, revision, exists);
        return new StackRollbackTarget(RevisionCodec.Describe(record), RevisionHistory.ToRequest(record, environment));
    });

    /// <summary>As on Swarm: the next revision after a successful deploy, the oldest beyond the limit removed; failures are warnings.</summary>
    private async Task<int?> RecordAsync(KubernetesCluster cluster, StackDeployRequest request, StackDeployResult result, IStackEventSink events, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await ReadHistoryAsync(cluster, request.Stack, cancellationToken).ConfigureAwait(false);
            int? recorded = null;
            if (request.HistoryMax > 0)
            {
                var next = stored.IsEmpty ? 1 : stored[^1].Number + 1;
                var record = RevisionHistory.Build(request, Orchestrator, next, DateTime.UtcNow);
                if (result.Writes == 0 && RevisionHistory.SameAs(record, stored.IsEmpty ? null : stored[^1].Record))
                {
                    return null;
                }

                var (data, kept) = RevisionHistory.Fit(record, SecretLimit);
                if (data is null)
                {
                    events.Publish(new StackWarning($"history: revision {next} of stack {request.Stack} was not recorded: {kept.Omitted} and the project alone is still too large"));
                    return null;
                }

                if (kept.Omitted is { } omitted)
                {
                    events.Publish(new StackWarning($"history: revision {next} keeps no {omitted}; a rollback to it needs the same config files"));
                }

                var number = next.ToString(CultureInfo.InvariantCulture);
                var name = $"{DnsNames.ToDns1123Subdomain(request.Stack)}.berth-revision.{number}";
                await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = name,
                        Labels = new Dictionary<string, string>
                        {
                            [StackLabels.StackNamespace] = request.Stack,
                            [StackRevisionLabels.Revision] = number,
                            [StackLabels.AppManagedBy] = StackLabels.ManagedByBerth,
                        },
                    },
                    Type = StackRevisionLabels.SecretType,
                    Data = new Dictionary<string, byte[]> { [DataKey] = data },
                }, cluster.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                recorded = next;
                stored = stored.Add(new StoredRevision(next, name, name, kept, RevisionCodec.Describe(kept)));
            }

            foreach (var old in stored.Take(Math.Max(0, stored.Length - request.HistoryMax)))
            {
                await cluster.Client.CoreV1.DeleteNamespacedSecretAsync(old.Name, cluster.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return recorded;
        }
        catch (HttpOperationException ex)
        {
            events.Publish(new StackWarning($"history: the revision of stack {request.Stack} was not recorded: {cluster.Explain(ex)?.Message ?? ex.Response?.ReasonPhrase ?? "the API server refused"}"));
            return null;
        }
    }

    /// <summary>One list of the namespace's Secrets that are revisions of the stack, oldest first.</summary>
    private static async Task<ImmutableArray<StoredRevision>> ReadHistoryAsync(KubernetesCluster cluster, string stack, CancellationToken cancellationToken)
    {
        var secrets = await cluster.Client.CoreV1.ListNamespacedSecretAsync(
            cluster.Namespace,
            labelSelector: $"{StackLabels.StackNamespace}={stack},{StackRevisionLabels.Revision}",
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return
        [
            .. secrets.Items
                .Where(s => s.Type == StackRevisionLabels.SecretType)
                .Select(s => StoredRevision.From(s.Metadata.Name, s.Metadata.Name, s.Metadata.Labels, s.Data is not null && s.Data.TryGetValue(DataKey, out var d) ? d : null))
                .OfType<StoredRevision>()
                .OrderBy(s => s.Number),
        ];
    }

    private static async Task<bool> StackExistsAsync(KubernetesCluster cluster, string stack, CancellationToken cancellationToken)
    {
        var services = await Berth.Kubernetes.Observe.StackReader.ListServicesAsync(cluster.Client, cluster.Namespace, stack, cancellationToken).ConfigureAwait(false);
        return !services.IsEmpty;
    }
}
