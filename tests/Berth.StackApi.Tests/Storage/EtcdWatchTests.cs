using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Berth.StackApi.Storage;
using static Berth.StackApi.Tests.Storage.EtcdFixture;

namespace Berth.StackApi.Tests.Storage;

/// <summary>Watch semantics (etcd3/watcher.go, the cacher's bookmarks) against a real etcd.</summary>
public sealed class EtcdWatchTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static readonly TimeSpan EventTimeout = WatchRecorder.EventTimeout;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EtcdStackStore Store => fixture.Store;

    private static (StoreWatchEventType, string?) Of(StoreWatchEvent e) => (e.Type, Meta(e.Object, "name"));

    [Fact]
    public async Task FromZero_SyntheticAddedForEachObject_ThenChanges()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "w1"), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "w2"), new WriteOptions(), Ct);
        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, ResourceVersion: "0"));

        Assert.Equal((StoreWatchEventType.Added, "w1"), Of(await watch.NextAsync()));
        Assert.Equal((StoreWatchEventType.Added, "w2"), Of(await watch.NextAsync()));
        await Store.CreateAsync(Stack(ns, "w3"), new WriteOptions(), Ct);
        Assert.Equal((StoreWatchEventType.Added, "w3"), Of(await watch.NextAsync()));
    }

    [Fact]
    public async Task FromResourceVersion_AddedModifiedDeleted_WithRevisions()
    {
        var ns = NewNamespace();
        var start = await Store.ListAsync(new ListOptions(ns), Ct);
        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, ResourceVersion: start.ResourceVersion));

        var created = await Store.CreateAsync(Stack(ns, "e"), new WriteOptions(), Ct);
        var updated = await Store.UpdateAsync(ns, "e", o => { o["spec"]!["services"]![0]!["image"] = "nginx:2"; return o; }, new WriteOptions(), Ct);
        await Store.DeleteAsync(ns, "e", new DeleteOptions(), Ct);
        var after = await Store.ListAsync(new ListOptions(ns), Ct);

        var added = await watch.NextAsync();
        var modified = await watch.NextAsync();
        var deleted = await watch.NextAsync();
        Assert.Equal((StoreWatchEventType.Added, Rv(created)), (added.Type, Rv(added.Object)));
        Assert.Equal((StoreWatchEventType.Modified, Rv(updated)), (modified.Type, Rv(modified.Object)));
        Assert.Equal("nginx:2", modified.Object["spec"]!["services"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(StoreWatchEventType.Deleted, deleted.Type);
        Assert.Equal("nginx:2", deleted.Object["spec"]!["services"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(after.ResourceVersion, Rv(deleted.Object)); // the delete revision
    }

    [Fact]
    public async Task FromResourceVersion_ReplaysWhatHappenedAfterIt()
    {
        var ns = NewNamespace();
        var first = await Store.CreateAsync(Stack(ns, "r1"), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "r2"), new WriteOptions(), Ct);

        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, ResourceVersion: Rv(first)));

        Assert.Equal((StoreWatchEventType.Added, "r2"), Of(await watch.NextAsync()));
    }

    [Fact]
    public async Task LabelSelector_MovingInAndOut_IsAddedAndDeleted()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "s", new JsonObject { ["pick"] = "no" }), new WriteOptions(), Ct);
        var start = await Store.ListAsync(new ListOptions(ns), Ct);
        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, LabelSelector: "pick=yes", ResourceVersion: start.ResourceVersion));

        await Store.UpdateAsync(ns, "s", o => { o["metadata"]!["labels"]!["pick"] = "yes"; return o; }, new WriteOptions(), Ct);
        await Store.UpdateAsync(ns, "s", o => { o["metadata"]!["labels"]!["other"] = "1"; return o; }, new WriteOptions(), Ct);
        await Store.UpdateAsync(ns, "s", o => { o["metadata"]!["labels"]!["pick"] = "no"; return o; }, new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "unseen", new JsonObject { ["pick"] = "no" }), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "seen", new JsonObject { ["pick"] = "yes" }), new WriteOptions(), Ct);

        Assert.Equal((StoreWatchEventType.Added, "s"), Of(await watch.NextAsync()));
        Assert.Equal((StoreWatchEventType.Modified, "s"), Of(await watch.NextAsync()));
        var left = await watch.NextAsync();
        Assert.Equal((StoreWatchEventType.Deleted, "s"), Of(left));
        Assert.Equal("yes", left.Object["metadata"]!["labels"]!["pick"]!.GetValue<string>());
        Assert.Equal((StoreWatchEventType.Added, "seen"), Of(await watch.NextAsync()));
    }

    [Fact]
    public async Task Bookmarks_OnInterval_AndBeforeTimeout_ThenCleanEnd()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "b"), new WriteOptions(), Ct);
        var clock = Stopwatch.StartNew();
        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, ResourceVersion: Rv(created), AllowBookmarks: true, Timeout: TimeSpan.FromSeconds(3)));

        // Interval 1 s, final one 0.5 s before the 3 s timeout: at ~1, ~2 and ~2.5 s.
        var bookmarks = new List<StoreWatchEvent>();
        for (var i = 0; i < 3; i++)
        {
            bookmarks.Add(await watch.NextAsync(skipBookmarks: false));
        }

        await watch.Pump.WaitAsync(EventTimeout, Ct); // ends by itself, without an exception
        Assert.All(bookmarks, b => Assert.Equal(StoreWatchEventType.Bookmark, b.Type));
        Assert.All(bookmarks, b => Assert.Equal(["kind", "metadata"], b.Object.Select(p => p.Key)));
        Assert.All(bookmarks, b => Assert.Equal(["resourceVersion"], b.Object["metadata"]!.AsObject().Select(p => p.Key)));
        Assert.All(bookmarks, b => Assert.True(long.Parse(Rv(b.Object), CultureInfo.InvariantCulture) >= long.Parse(Rv(created), CultureInfo.InvariantCulture)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Bookmark_CarriesRevisionOfFilteredOutChanges()
    {
        var ns = NewNamespace();
        var start = await Store.ListAsync(new ListOptions(ns), Ct);
        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, LabelSelector: "pick=yes", ResourceVersion: start.ResourceVersion, AllowBookmarks: true));

        var unseen = await Store.CreateAsync(Stack(ns, "unseen"), new WriteOptions(), Ct);

        // Bookmarks come every second; one of the next few carries the filtered-out object's revision.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var bookmark = await watch.NextAsync(skipBookmarks: false);
            Assert.Equal(StoreWatchEventType.Bookmark, bookmark.Type);
            if (Rv(bookmark.Object) == Rv(unseen))
            {
                break;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"bookmarks stayed at {Rv(bookmark.Object)}, not {Rv(unseen)}");
        }
    }

    [Fact]
    public async Task WithoutBookmarks_NoneAreSent()
    {
        var ns = NewNamespace();
        var start = await Store.ListAsync(new ListOptions(ns), Ct);
        await using var watch = new WatchRecorder(Store, new WatchOptions(ns, ResourceVersion: start.ResourceVersion, Timeout: TimeSpan.FromSeconds(2.5)));

        await watch.Pump.WaitAsync(EventTimeout, Ct);

        // The watch ended after 2.5 s having sent nothing: reading finds the channel closed.
        await Assert.ThrowsAsync<ChannelClosedException>(() => watch.NextAsync(skipBookmarks: false));
    }

    [Fact]
    public async Task Cancellation_EndsTheWatch()
    {
        var ns = NewNamespace();
        using var stop = new CancellationTokenSource();
        var enumeration = Task.Run(async () =>
        {
            await foreach (var unused in Store.WatchAsync(new WatchOptions(ns), stop.Token))
            {
                _ = unused;
            }
        }, Ct);

        await Task.Delay(300, Ct);
        await stop.CancelAsync();

        var ended = await Record.ExceptionAsync(() => enumeration.WaitAsync(EventTimeout, Ct));
        Assert.True(ended is null or OperationCanceledException, ended?.ToString());
    }
}
