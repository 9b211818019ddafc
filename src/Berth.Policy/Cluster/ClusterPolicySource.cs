namespace Berth.Policy.Cluster;

/// <summary>
/// Fetches the cluster policy ConfigMap through <paramref name="fetch"/> and keeps what it read for
/// <paramref name="timeToLive"/> (a short TTL, not a watch: a policy change applies within the TTL, and a server
/// that handles no stack write reads nothing). <paramref name="fetch"/> answers the ConfigMap's data, null when there
/// is no ConfigMap, and throws when it cannot tell (forbidden, unreachable). A failed fetch keeps the last policy
/// read if there is one (a blip of the cluster does not open or close the gate); with none, the policy is
/// <see cref="ClusterPolicy.Unreadable"/>, which fails closed.
/// </summary>
/// <param name="ns">The install namespace the ConfigMap is in.</param>
/// <param name="fetch">Reads the ConfigMap's data with the component's own credentials.</param>
/// <param name="timeToLive">How long a read is used; zero reads on every call.</param>
/// <param name="time">The clock.</param>
public sealed class ClusterPolicySource(string ns, Func<CancellationToken, Task<IReadOnlyDictionary<string, string>?>> fetch, TimeSpan timeToLive, TimeProvider time) : IDisposable
{
    /// <summary>The default time a read is kept.</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Read? _last;

    public string Namespace { get; } = ns;

    /// <summary>The policy now: the cached read while it is fresh, else a new read.</summary>
    public async Task<ClusterPolicy> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } fresh)
        {
            return fresh;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed it while this one waited.
            if (Fresh() is { } refreshed)
            {
                return refreshed;
            }

            ClusterPolicy policy;
            try
            {
                var data = await fetch(cancellationToken).ConfigureAwait(false);
                policy = ClusterPolicyConfigMap.Read(Namespace, data, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (_last is { } last)
                {
                    return last.Policy;
                }

                return ClusterPolicy.Unreadable(ClusterPolicyConfigMap.Origin(Namespace), e.Message);
            }

            Volatile.Write(ref _last, new Read(policy, time.GetUtcNow()));
            return policy;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private ClusterPolicy? Fresh()
        => Volatile.Read(ref _last) is { } last && timeToLive > TimeSpan.Zero && time.GetUtcNow() - last.At < timeToLive ? last.Policy : null;

    private sealed record Read(ClusterPolicy Policy, DateTimeOffset At);

    public void Dispose() => _refresh.Dispose();
}
