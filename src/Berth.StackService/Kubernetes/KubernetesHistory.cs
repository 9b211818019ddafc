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
            if (RevisionHistory.Plan(request, Orchestrator, result, stored, SecretLimit, events) is not { } plan)
            {
                return null;
            }

            if (plan.Add is { } add)
            {
                var number = add.Number.ToString(CultureInfo.InvariantCulture);
                await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = $"{DnsNames.ToDns1123Subdomain(request.Stack)}.berth-revision.{number}",
                        Labels = new Dictionary<string, string>
                        {
                            [StackLabels.StackNamespace] = request.Stack,
                            [StackRevisionLabels.Revision] = number,
                            [StackLabels.AppManagedBy] = StackLabels.ManagedByBerth,
                        },
                    },
                    Type = StackRevisionLabels.SecretType,
                    Data = new Dictionary<string, byte[]> { [DataKey] = add.Data },
                }, cluster.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            foreach (var old in plan.Remove)
            {
                await cluster.Client.CoreV1.DeleteNamespacedSecretAsync(old.Name, cluster.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return plan.Add?.Number;
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
