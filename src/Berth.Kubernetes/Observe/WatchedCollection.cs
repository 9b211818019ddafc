using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Observe;

/// <summary>A <see cref="WatchedCollection{T}"/> without its type, as the kind table hands it out.</summary>
internal interface IWatchedCollection
{
    bool Watching { get; }

    object? Get(string name);

    Task ListAsync(CancellationToken cancellationToken);

    Task WatchAsync(k8s.Kubernetes client, string labelSelector, Func<int> timeoutSeconds, Action changed, CancellationToken cancellationToken);
}

/// <summary>
/// The objects of one kind that carry the stack's label, kept current by a LIST and then, when the client allows,
/// a watch from the list's resourceVersion (relisting when the server says it is too old). When the watch cannot
/// run, <see cref="Watching"/> is false and the owner lists again on each poll.
/// </summary>
internal sealed class WatchedCollection<T>(string path, Func<CancellationToken, Task<(IList<T> Items, string? ResourceVersion)>> list) : IWatchedCollection
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private string? _resourceVersion;

    private volatile bool _watching;

    /// <summary>A watch keeps this collection current (read by the waiter's loop, set by the watch task).</summary>
    public bool Watching => _watching;

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items.Values];
            }
        }
    }

    public T? Get(string name)
    {
        lock (_lock)
        {
            return _items.GetValueOrDefault(name);
        }
    }

    object? IWatchedCollection.Get(string name) => Get(name);

    public async Task ListAsync(CancellationToken cancellationToken)
    {
        var (items, resourceVersion) = await list(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _items = items.Where(i => i.Metadata?.Name is not null).ToDictionary(i => i.Metadata.Name, StringComparer.Ordinal);
            _resourceVersion = resourceVersion;
        }
    }

    /// <summary>
    /// Follows changes until cancelled, calling <paramref name="changed"/> after each. Returns (with
    /// <see cref="Watching"/> false) when watching fails for another reason than an expired version.
    /// </summary>
    public async Task WatchAsync(k8s.Kubernetes client, string labelSelector, Func<int> timeoutSeconds, Action changed, CancellationToken cancellationToken)
    {
        _watching = true;
        try
        {
            var emptyWatches = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var events = 0;
                    await foreach (var e in WatchStream.ReadAsync(client, path, labelSelector, _resourceVersion, timeoutSeconds(), cancellationToken).ConfigureAwait(false))
                    {
                        events++;
                        if (Apply(e))
                        {
                            changed();
                        }
                    }

                    // A server or proxy that ends every watch at once would make this loop spin: poll instead.
                    emptyWatches = events == 0 ? emptyWatches + 1 : 0;
                    if (emptyWatches >= 3)
                    {
                        throw new InvalidOperationException($"watch of {path} keeps ending without events");
                    }
                }
                catch (WatchExpiredException)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    changed();
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Anything else (forbidden to watch, a proxy that cuts streams, bad JSON): polling still works.
            _watching = false;
            changed();
        }
    }

    /// <summary>Applies one event to the collection; true when the collection changed.</summary>
    internal bool Apply(WatchEvent e)
    {
        switch (e.Type)
        {
            case "ADDED" or "MODIFIED" or "DELETED":
                var item = KubernetesJson.Deserialize<T>(e.ObjectJson);
                lock (_lock)
                {
                    _resourceVersion = item.Metadata?.ResourceVersion ?? _resourceVersion;
                    if (item.Metadata?.Name is not { } name)
                    {
                        return false;
                    }

                    if (e.Type == "DELETED")
                    {
                        _items.Remove(name);
                    }
                    else
                    {
                        _items[name] = item;
                    }
                }

                return true;
            case "BOOKMARK":
                var bookmark = KubernetesJson.Deserialize<T>(e.ObjectJson);
                lock (_lock)
                {
                    _resourceVersion = bookmark.Metadata?.ResourceVersion ?? _resourceVersion;
                }

                return false;
            case "ERROR":
                var status = KubernetesJson.Deserialize<V1Status>(e.ObjectJson);
                throw status.Code == 410
                    ? new WatchExpiredException(status.Message ?? "resource version too old")
                    : new InvalidOperationException($"watch error {status.Code}: {status.Reason}");
            default:
                return false;
        }
    }
}
