using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Controller.Leadership;

/// <summary>
/// A coordination.k8s.io/v1 Lease as the lock, as client-go's tools/leaderelection/resourcelock/leaselock.go: Get
/// remembers the Lease read, Update writes the new record onto it with its resourceVersion (so a Lease changed by
/// someone else in between answers 409 Conflict), Create makes it when missing.
/// </summary>
internal sealed class LeaseLock
{
    private readonly IKubernetes _client;
    private V1Lease? _lease;

    public LeaseLock(IKubernetes client, string @namespace, string name, string identity)
    {
        _client = client;
        Namespace = @namespace;
        Name = name;
        Identity = identity;
    }

    public string Namespace { get; }

    public string Name { get; }

    public string Identity { get; }

    /// <summary>namespace/name, for logs.</summary>
    public string Describe => $"{Namespace}/{Name}";

    /// <summary>The record in the Lease, or null when there is no Lease (404).</summary>
    public async Task<LeaderElectionRecord?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            _lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return ToRecord(_lease.Spec);
    }

    public async Task CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        var lease = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace },
            Spec = ToSpec(record),
        };
        _lease = await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes <paramref name="record"/> over the Lease last read or written (its resourceVersion is the precondition).</summary>
    public async Task UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken)
    {
        var lease = _lease ?? throw new InvalidOperationException("lease not initialized, call get or create first");
        lease.Spec = ToSpec(record);
        // KubernetesClient.Aot cannot serialize managedFields it read back (FieldsV1); the server keeps them anyway.
        lease.Metadata.ManagedFields = null;
        _lease = await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static LeaderElectionRecord ToRecord(V1LeaseSpec? spec) => spec is null
        ? LeaderElectionRecord.Empty
        : new(spec.HolderIdentity ?? string.Empty, spec.LeaseDurationSeconds ?? 0, spec.AcquireTime, spec.RenewTime, spec.LeaseTransitions ?? 0);

    // MicroTime: the server parses exactly six fractional digits (apimachinery pkg/apis/meta/v1/micro_time.go);
    // KubernetesClient writes DateTime as RFC 3339 with six (a test on the double checks it).
    private static V1LeaseSpec ToSpec(LeaderElectionRecord record) => new()
    {
        HolderIdentity = record.HolderIdentity,
        LeaseDurationSeconds = record.LeaseDurationSeconds,
        AcquireTime = record.AcquireTime,
        RenewTime = record.RenewTime,
        LeaseTransitions = record.LeaderTransitions,
    };
}
