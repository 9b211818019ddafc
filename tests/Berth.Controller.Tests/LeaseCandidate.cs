using System.Diagnostics;
using System.Text.Json.Nodes;
using Berth.Controller.Leadership;
using Berth.Kubernetes.ApiDouble;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace Berth.Controller.Tests;

/// <summary>
/// One replica's <see cref="LeaderElector"/> running against the documented Kubernetes API test double (not a cluster),
/// with leading work that records when it started and when its token was cancelled.
/// </summary>
internal sealed class LeaseCandidate : IAsyncDisposable
{
    public const string LeaseNamespace = "berth-system";
    public const string LeaseName = "berth-controller";

    private readonly IKubernetes _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _leadCount;

    private LeaseCandidate(KubernetesApiDouble api, string name, LeaderElectionSettings settings, TimeProvider? time)
    {
        _client = api.CreateClient();
        Identity = $"{name}_{Guid.NewGuid()}";
        Registry = Metrics.NewCustomRegistry();
        Elector = new LeaderElector(new LeaseLock(_client, LeaseNamespace, LeaseName, Identity), settings, NullLogger.Instance, new LeaderMetrics(Registry), time);
        Run = Elector.RunAsync(LeadAsync, _stop.Token);
    }

    public string Identity { get; }

    public LeaderElector Elector { get; }

    public CollectorRegistry Registry { get; }

    public Task<LeadershipOutcome> Run { get; }

    /// <summary>Completes when the leading work starts.</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the leading work's token is cancelled.</summary>
    public Task Ended => _ended.Task;

    public long StartedAt { get; private set; }

    public int LeadCount => Volatile.Read(ref _leadCount);

    public static LeaseCandidate Start(KubernetesApiDouble api, string name, LeaderElectionSettings settings, TimeProvider? time = null) => new(api, name, settings, time);

    /// <summary>The namespace the Lease lives in (berth system install creates it in a cluster).</summary>
    public static async Task CreateNamespaceAsync(KubernetesApiDouble api, CancellationToken cancellationToken)
    {
        using var client = api.CreateClient();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = LeaseNamespace } }, cancellationToken: cancellationToken);
    }

    public static JsonObject? Lease(KubernetesApiDouble api) => api.Get("leases.coordination.k8s.io", LeaseNamespace, LeaseName);

    /// <summary>Stops the elector as a clean shutdown does and waits for it.</summary>
    public async Task<LeadershipOutcome> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>The leader_election_master_status value this candidate exports.</summary>
    public async Task<string> MetricsAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // Reported by the test that waited; disposal must not hide its failure.
        }

        _stop.Dispose();
        _client.Dispose();
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _leadCount);
        StartedAt = Stopwatch.GetTimestamp();
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            _ended.TrySetResult();
        }
    }
}
