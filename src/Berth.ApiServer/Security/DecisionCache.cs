using System.Collections.Concurrent;

namespace Berth.ApiServer.Security;

/// <summary>Answers kept for a short time (10 s, as the webhook authenticator's and authorizer's caches).</summary>
internal sealed class DecisionCache<T>(TimeSpan ttl, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (T Value, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string key, out T value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > time.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(string key, T value)
    {
        // Bounded: a flood of distinct keys cannot grow memory without limit.
        if (_entries.Count > 10_000)
        {
            _entries.Clear();
        }

        _entries[key] = (value, time.GetUtcNow() + ttl);
    }
}
