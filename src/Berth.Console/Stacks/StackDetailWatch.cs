using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Berth.Console.Stacks;

/// <summary>
/// Live stack pages: one poll per stack (every <see cref="Interval"/>), shared by everyone watching it, running only
/// while someone watches. Each watcher gets the latest snapshot at once and then every change; a slow watcher only
/// ever misses intermediate snapshots, never the newest.
/// </summary>
internal sealed class StackDetailWatch(TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Poll> _polls = new(StringComparer.Ordinal);

    /// <summary>How many stacks are being polled now (one per watched stack, whatever the number of watchers).</summary>
    public int ActivePolls
    {
        get
        {
            lock (_lock)
            {
                return _polls.Count;
            }
        }
    }

    /// <summary>The stack's snapshots as JSON, the current one first, until <paramref name="cancellationToken"/> (the request ends).</summary>
    public async IAsyncEnumerable<string> WatchAsync(string key, Func<CancellationToken, Task<StackDetailSnapshot>> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var inbox = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        Poll poll;
        lock (_lock)
        {
            if (!_polls.TryGetValue(key, out poll!))
            {
                poll = new Poll(key);
                _polls[key] = poll;
                _ = RunAsync(poll, read);
            }

            poll.Watchers.Add(inbox.Writer);
            if (poll.Latest is { } latest)
            {
                inbox.Writer.TryWrite(latest);
            }
        }

        try
        {
            await foreach (var snapshot in inbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_lock)
            {
                poll.Watchers.Remove(inbox.Writer);
                if (poll.Watchers.Count == 0)
                {
                    if (_polls.TryGetValue(key, out var current) && current == poll)
                    {
                        _polls.Remove(key);
                    }

                    poll.Stop.Cancel();
                }
            }
        }
    }

    private async Task RunAsync(Poll poll, Func<CancellationToken, Task<StackDetailSnapshot>> read)
    {
        var stop = poll.Stop.Token;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var json = (await read(stop).ConfigureAwait(false)).ToJson();
                lock (_lock)
                {
                    if (json != poll.Latest)
                    {
                        poll.Latest = json;
                        foreach (var watcher in poll.Watchers)
                        {
                            watcher.TryWrite(json);
                        }
                    }
                }

                await Task.Delay(Interval, clock, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The last watcher left.
        }
        catch (Exception e)
        {
            // An unexpected failure ends this poll and its watchers' streams (the page script reconnects).
            lock (_lock)
            {
                foreach (var watcher in poll.Watchers)
                {
                    watcher.TryComplete(e);
                }

                if (_polls.TryGetValue(poll.Key, out var current) && current == poll)
                {
                    _polls.Remove(poll.Key);
                }
            }
        }
    }

    private sealed class Poll(string key)
    {
        public string Key { get; } = key;

        public List<ChannelWriter<string>> Watchers { get; } = [];

        public CancellationTokenSource Stop { get; } = new();

        public string? Latest { get; set; }
    }
}
