using System.Threading.Channels;

namespace Berth.Controller.Reconcile;

/// <summary>
/// client-go's rate-limiting work queue (util/workqueue/queue.go, delaying_queue.go, rate_limiting_queue.go): a key
/// waiting is queued once however often it is added; a key added while being processed is queued again when its
/// processing is done, never handed to two workers at once. <see cref="AddRateLimited"/> waits the per-key
/// exponential backoff of workqueue/default_rate_limiters.go's ItemExponentialFailureRateLimiter (5 ms · 2^failures,
/// at most 1000 s) until <see cref="Forget"/>. (DefaultControllerRateLimiter also takes the max with an overall
/// 10 qps / burst 100 token bucket; that bucket is not modelled.)
/// </summary>
internal sealed class WorkQueue<T>
    where T : notnull
{
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1000);

    private readonly Channel<T> _ready = Channel.CreateUnbounded<T>();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, int> _failures = [];
    private readonly Lock _gate = new();

    /// <summary>Keys waiting (not those being processed).</summary>
    public int Depth
    {
        get
        {
            lock (_gate)
            {
                return _dirty.Count;
            }
        }
    }

    public void Add(T key)
    {
        lock (_gate)
        {
            if (!_dirty.Add(key) || _processing.Contains(key))
            {
                return;
            }

            _ready.Writer.TryWrite(key);
        }
    }

    /// <summary>Adds <paramref name="key"/> after <paramref name="delay"/> (unless <paramref name="cancellationToken"/> ends first).</summary>
    public void AddAfter(T key, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        _ = Task.Delay(delay, cancellationToken).ContinueWith(t => { if (!t.IsCanceled) { Add(key); } }, TaskScheduler.Default);
    }

    /// <summary>Adds <paramref name="key"/> after its backoff; each call without a <see cref="Forget"/> doubles it.</summary>
    public TimeSpan AddRateLimited(T key, CancellationToken cancellationToken)
    {
        var delay = NextDelay(key);
        AddAfter(key, delay, cancellationToken);
        return delay;
    }

    public TimeSpan NextDelay(T key)
    {
        int failures;
        lock (_gate)
        {
            failures = _failures.TryGetValue(key, out var n) ? n : 0;
            _failures[key] = failures + 1;
        }

        // ItemExponentialFailureRateLimiter.When: baseDelay * 2^failures, capped (and guarded against overflow).
        var exponent = Math.Min(failures, 62);
        var ticks = BaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The key succeeded: its backoff starts again from the base delay.</summary>
    public void Forget(T key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    /// <summary>The next key to process; it stays out of the queue until <see cref="Done"/>.</summary>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var key = await _ready.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_dirty.Remove(key))
                {
                    _processing.Add(key);
                    return key;
                }
            }
        }
    }

    public void Done(T key)
    {
        lock (_gate)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key))
            {
                _ready.Writer.TryWrite(key);
            }
        }
    }
}
