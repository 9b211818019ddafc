using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;

namespace Berth.StackApi.Storage;

public sealed partial class EtcdStackStore
{
    private const string WatchTooOld = "The resourceVersion for the provided watch is too old.";

    private sealed record WatchItem(StoreWatchEvent? Event, StoreException? Error);

    /// <summary>
    /// A watch as etcd3/watcher.go: from "" or "0" the current objects as ADDED, then changes; from N the changes
    /// after N (etcd watch from N+1 with prev_kv). Selectors turn moves across them into ADDED/DELETED. Bookmarks as
    /// the cacher sends them (cacher/cache_watcher.go); the timeout ends the enumeration; compaction throws Expired.
    /// </summary>
    public async IAsyncEnumerable<StoreWatchEvent> WatchAsync(WatchOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var labels = LabelSelector.Parse(options.LabelSelector);
        var fields = FieldSelector.Parse(options.FieldSelector);
        var listPrefix = ListPrefix(options.Namespace);
        var rv = ParseResourceVersion(options.ResourceVersion);
        bool Matches(JsonObject obj) => labels.Matches(obj) && fields.Matches(obj);

        var started = DateTime.UtcNow;
        var end = options.Timeout is { } timeout ? started + timeout : DateTime.MaxValue;
        var channel = Channel.CreateUnbounded<WatchItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // Events the caller has been sent up to; a bookmark promises nothing older is still to come.
        var lastRevision = rv;
        var initial = new List<StoreWatchEvent>();
        if (rv == 0)
        {
            var list = await ListAsync(new ListOptions(options.Namespace, options.LabelSelector, options.FieldSelector), ct).ConfigureAwait(false);
            lastRevision = long.Parse(list.ResourceVersion, CultureInfo.InvariantCulture);
            initial.AddRange(list.Items.Select(item => new StoreWatchEvent(StoreWatchEventType.Added, item)));
        }

        else
        {
            // A cheap read at N first: it fails fast when etcd is down (the watch stream would wait for its ack) and
            // answers Expired at once when N is compacted. N in the future is fine: etcd waits for it (watcher.go).
            try
            {
                await RangeAsync(new RangeRequest { Key = ByteString.CopyFromUtf8(listPrefix), RangeEnd = PrefixEnd(listPrefix), Revision = rv, CountOnly = true }, ct, WatchTooOld).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.OutOfRange)
            {
                // "required revision is a future revision".
            }
        }

        var startRevision = lastRevision + 1;
        void OnResponse(WatchResponse response)
        {
            if (response.CompactRevision != 0)
            {
                // Asked (or, after a reconnect, silently moved) below the compaction point: the caller must relist.
                channel.Writer.TryWrite(new WatchItem(null, new StoreException(StoreErrorKind.Expired, WatchTooOld)));
                channel.Writer.TryComplete();
                return;
            }

            if (response.Canceled)
            {
                channel.Writer.TryWrite(new WatchItem(null, new StoreException(StoreErrorKind.Unavailable, $"etcd cancelled the watch: {response.CancelReason}")));
                channel.Writer.TryComplete();
                return;
            }

            foreach (var e in response.Events)
            {
                var item = Translate(e, Matches);
                if (item is not null)
                {
                    channel.Writer.TryWrite(new WatchItem(item, null));
                }
            }

            // How far this watch has seen, filtered-out events included, for the next bookmark. Not the header
            // revision of an event batch: etcd sets it to the current revision even when the batch is cut short.
            var seen = response.Events.Count > 0 ? response.Events[^1].Kv.ModRevision
                : response.Header is not null && !response.Created ? response.Header.Revision // a progress notification
                : 0;
            if (seen > 0)
            {
                channel.Writer.TryWrite(new WatchItem(new StoreWatchEvent(StoreWatchEventType.Bookmark, BookmarkObject(seen)), null));
            }
        }

        // dotnet-etcd multiplexes every watch on one gRPC stream, created with the token of the watch that happened
        // to open it: passing ours would let this watch's end cut the stream of all the others. So the create gets
        // no token; our cancellation only stops waiting for it and cancels the watch once it exists.
        var creating = _client.WatchAsync(
            new WatchRequest
            {
                CreateRequest = new WatchCreateRequest
                {
                    Key = ByteString.CopyFromUtf8(listPrefix),
                    RangeEnd = PrefixEnd(listPrefix),
                    StartRevision = startRevision,
                    PrevKv = true,
                    ProgressNotify = true,
                },
            },
            OnResponse,
            cancellationToken: CancellationToken.None);
        long watchId;
        try
        {
            watchId = await creating.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _ = creating.ContinueWith(t => _client.CancelWatch(t.Result), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            throw;
        }
        catch (RpcException e)
        {
            if (e.Status.Detail.Contains("compacted", StringComparison.Ordinal))
            {
                throw new StoreException(StoreErrorKind.Expired, WatchTooOld);
            }

            throw new StoreException(StoreErrorKind.Unavailable, $"etcd is unavailable: {e.StatusCode}: {e.Status.Detail}", e);
        }

        try
        {
            foreach (var item in initial)
            {
                yield return item;
            }

            var nextBookmark = options.AllowBookmarks ? started + _options.BookmarkInterval : DateTime.MaxValue;
            var finalBookmark = options.AllowBookmarks && end != DateTime.MaxValue ? end - _options.BookmarkBeforeTimeout : DateTime.MaxValue;
            while (true)
            {
                var wake = Min(end, Min(nextBookmark, finalBookmark));
                var ready = await WaitAsync(channel.Reader, wake, ct).ConfigureAwait(false);
                if (ready is null)
                {
                    // The etcd side ended without an error item: nothing more will come.
                    yield break;
                }

                if (ready == false)
                {
                    var now = DateTime.UtcNow;
                    if (now >= end)
                    {
                        yield break;
                    }

                    if (now >= finalBookmark)
                    {
                        finalBookmark = DateTime.MaxValue;
                        nextBookmark = DateTime.MaxValue;
                        yield return new StoreWatchEvent(StoreWatchEventType.Bookmark, BookmarkObject(lastRevision));
                    }
                    else if (now >= nextBookmark)
                    {
                        nextBookmark = now + _options.BookmarkInterval;
                        yield return new StoreWatchEvent(StoreWatchEventType.Bookmark, BookmarkObject(lastRevision));
                    }

                    continue;
                }

                while (channel.Reader.TryRead(out var item))
                {
                    if (item.Error is not null)
                    {
                        throw item.Error;
                    }

                    var revision = long.Parse(MetadataOf(item.Event!.Object)["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    lastRevision = Math.Max(lastRevision, revision);
                    if (item.Event.Type == StoreWatchEventType.Bookmark)
                    {
                        // Progress only feeds the bookmark revision; bookmarks go out on our clock.
                        continue;
                    }

                    yield return item.Event;
                }
            }
        }
        finally
        {
            _client.CancelWatch(watchId);
            channel.Writer.TryComplete();
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>True: items to read; false: <paramref name="wake"/> came first; null: the channel is complete.</summary>
    private static async Task<bool?> WaitAsync(ChannelReader<WatchItem> reader, DateTime wake, CancellationToken ct)
    {
        if (reader.TryPeek(out _))
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (wake != DateTime.MaxValue)
        {
            var delay = wake - DateTime.UtcNow;
            timer.CancelAfter(delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        }

        try
        {
            return await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false) ? true : null;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static JsonObject BookmarkObject(long revision)
        => new() { ["kind"] = "Stack", ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) } };

    // etcd3/watcher.go transform: the previous value decides, with the selector, between ADDED, MODIFIED and DELETED;
    // a deleted object (or one leaving the selector) is its previous value at the event's revision.
    private static StoreWatchEvent? Translate(Event e, Func<JsonObject, bool> matches)
    {
        var revision = e.Kv.ModRevision;
        var previous = e.PrevKv is { Value.Length: > 0 } prev ? Decode(prev.Value, revision) : null;
        if (e.Type == Event.Types.EventType.Delete)
        {
            return previous is not null && matches(previous) ? new StoreWatchEvent(StoreWatchEventType.Deleted, previous) : null;
        }

        var current = Decode(e.Kv.Value, revision);
        var created = e.Kv.CreateRevision == e.Kv.ModRevision;
        var currentMatches = matches(current);
        var previousMatches = !created && previous is not null && matches(previous);
        return (currentMatches, previousMatches) switch
        {
            (true, true) => new StoreWatchEvent(StoreWatchEventType.Modified, current),
            (true, false) => new StoreWatchEvent(StoreWatchEventType.Added, current),
            (false, true) => new StoreWatchEvent(StoreWatchEventType.Deleted, previous!),
            _ => null,
        };
    }
}
