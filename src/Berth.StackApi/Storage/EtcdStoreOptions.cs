namespace Berth.StackApi.Storage;

/// <summary>
/// Where and how EtcdStackStore reaches etcd (kube-apiserver's --etcd-servers, --etcd-cafile, --etcd-certfile,
/// --etcd-keyfile, --etcd-prefix).
/// </summary>
/// <param name="Endpoints">http:// or https:// URLs of the etcd members.</param>
/// <param name="CaFile">PEM CA that etcd's serving certificate must chain to (replaces the system roots).</param>
/// <param name="CertFile">PEM client certificate for etcd's client-cert authentication.</param>
/// <param name="KeyFile">PEM key of <paramref name="CertFile"/>.</param>
/// <param name="KeyPrefix">The stacks' key prefix; a stack is <c>&lt;prefix&gt;/&lt;namespace&gt;/&lt;name&gt;</c>.</param>
public sealed record EtcdStoreOptions(
    IReadOnlyList<string> Endpoints,
    string? CaFile = null,
    string? CertFile = null,
    string? KeyFile = null,
    string KeyPrefix = EtcdStoreOptions.DefaultKeyPrefix)
{
    public const string DefaultKeyPrefix = "/registry/compose.docker.com/stacks";

    /// <summary>How often the compactor runs (kube-apiserver --etcd-compaction-interval, 5 min); zero or less: never.</summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The deadline of each etcd call, so a dead etcd is an error, not a hang.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a watch with bookmarks allowed sends one (the cacher: about every minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long before a watch's timeout its last bookmark goes out (the cacher: 2 s).</summary>
    public TimeSpan BookmarkBeforeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Called after each etcd request with its operation ("range", "txn", "compact"), duration and whether etcd
    /// answered, for the server's etcd latency metrics (kube-apiserver's etcd_request_duration_seconds).
    /// </summary>
    public Action<string, TimeSpan, bool>? ObserveRequest { get; init; }
}
