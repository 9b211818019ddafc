using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// Per-resource event history and live watchers. Called under the store's lock, so a watch that starts
/// from a resourceVersion sees every later event exactly once.
/// </summary>
internal sealed class WatchHub
{
    /// <summary>Events kept per resource before the oldest are dropped (a watch from before them gets 410).</summary>
    public const int HistoryLimit = 10_000;

    private readonly Dictionary<string, ResourceHistory> _histories = new(StringComparer.Ordinal);

    public void Publish(ResourceType type, string eventType, JsonObject obj, long resourceVersion, JsonObject? previous)
    {
        var history = History(type);
        var change = new WatchEvent(resourceVersion, eventType, (JsonObject)obj.DeepClone(), (JsonObject?)previous?.DeepClone());
        history.Events.Add(change);
        if (history.Events.Count > HistoryLimit)
        {
            history.CompactedThrough = history.Events[0].ResourceVersion;
            history.Events.RemoveAt(0);
        }

        foreach (var watcher in history.Watchers)
        {
            watcher.Offer(change);
        }
    }

    /// <summary>Starts a watch; replays history after <paramref name="fromResourceVersion"/> or throws 410 Expired.</summary>
    public WatchSubscription Subscribe(ResourceType type, WatchFilter filter, long fromResourceVersion, long currentResourceVersion)
    {
        var history = History(type);
        if (fromResourceVersion < history.CompactedThrough)
        {
            throw ApiException.Expired($"too old resource version: {fromResourceVersion} ({currentResourceVersion})");
        }

        var subscription = new WatchSubscription(filter, history);
        foreach (var change in history.Events.Where(e => e.ResourceVersion > fromResourceVersion))
        {
            subscription.Offer(change);
        }

        history.Watchers.Add(subscription);
        return subscription;
    }

    /// <summary>Subscribes with synthetic ADDED events for the current objects (a watch without resourceVersion).</summary>
    public WatchSubscription SubscribeWithInitial(ResourceType type, WatchFilter filter, IEnumerable<JsonObject> current)
    {
        var history = History(type);
        var subscription = new WatchSubscription(filter, history);
        foreach (var obj in current)
        {
            subscription.Offer(new WatchEvent(0, "ADDED", obj, null));
        }

        history.Watchers.Add(subscription);
        return subscription;
    }

    /// <summary>Forgets all history, so a watch from any resourceVersion before now gets 410 Expired.</summary>
    public void Compact(long throughResourceVersion)
    {
        foreach (var history in _histories.Values)
        {
            history.Events.Clear();
            history.CompactedThrough = throughResourceVersion;
        }
    }

    public void CompleteAll()
    {
        foreach (var watcher in _histories.Values.SelectMany(h => h.Watchers))
        {
            watcher.Complete();
        }
    }

    private ResourceHistory History(ResourceType type)
    {
        if (!_histories.TryGetValue(type.FullName, out var history))
        {
            history = new ResourceHistory();
            _histories[type.FullName] = history;
        }

        return history;
    }

    internal sealed class ResourceHistory
    {
        public List<WatchEvent> Events { get; } = [];

        public long CompactedThrough { get; set; }

        public List<WatchSubscription> Watchers { get; } = [];
    }
}

/// <summary>One change as a watch reports it (with the object before a modification, for selector transitions).</summary>
internal sealed record WatchEvent(long ResourceVersion, string Type, JsonObject Object, JsonObject? Previous)
{
    public static string ToLine(string type, JsonObject obj) => new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString();
}

/// <summary>Which objects a watch reports (namespace, label and field selectors on the object after the change).</summary>
internal sealed record WatchFilter(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public bool Matches(JsonObject obj) =>
        (Namespace is null || obj["metadata"]?["namespace"]?.ToString() == Namespace) && Labels.Matches(obj) && Fields.Matches(obj);
}

/// <summary>A live watch: matching events queue here until the HTTP response writes them.</summary>
internal sealed class WatchSubscription(WatchFilter filter, WatchHub.ResourceHistory history)
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>
    /// Like the real watch cache: a modification that moves an object into the selection is reported as
    /// ADDED, one that moves it out as DELETED.
    /// </summary>
    public void Offer(WatchEvent change)
    {
        var matches = filter.Matches(change.Object);
        var matched = change.Previous is not null && filter.Matches(change.Previous);
        var type = change.Type switch
        {
            "MODIFIED" when matches && !matched => "ADDED",
            "MODIFIED" when !matches && matched => "DELETED",
            _ when matches => change.Type,
            _ => null,
        };
        if (type is not null)
        {
            _lines.Writer.TryWrite(WatchEvent.ToLine(type, change.Object));
        }
    }

    public void Complete() => _lines.Writer.TryComplete();

    /// <summary>Stops receiving events; call under the store's lock.</summary>
    public void Unsubscribe()
    {
        history.Watchers.Remove(this);
        Complete();
    }
}
