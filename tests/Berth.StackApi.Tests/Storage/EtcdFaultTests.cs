using System.Diagnostics;
using Berth.StackApi.Storage;
using static Berth.StackApi.Tests.Storage.EtcdFixture;

namespace Berth.StackApi.Tests.Storage;

/// <summary>etcd stopping and coming back, and compaction, with a real etcd this class stops and starts.</summary>
public sealed class EtcdFaultTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EtcdDown_IsUnavailable_HealthFalse_RecoversWithNothingLost()
    {
        var store = fixture.Store;
        var ns = NewNamespace();
        var before = await store.CreateAsync(Stack(ns, "kept"), new WriteOptions(), Ct);
        Assert.True(await store.CheckHealthAsync(Ct));

        await fixture.Etcd.StopAsync(Ct);
        try
        {
            var clock = Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<StoreException>(() => store.CreateAsync(Stack(ns, "lost"), new WriteOptions(), Ct));
            Assert.Equal(StoreErrorKind.Unavailable, e.Kind);
            Assert.Contains("etcd", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", e.Message, StringComparison.Ordinal); // no stack trace
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"failing took {clock.Elapsed}");
            var list = await Assert.ThrowsAsync<StoreException>(() => store.ListAsync(new ListOptions(ns), Ct));
            Assert.Equal(StoreErrorKind.Unavailable, list.Kind);
            Assert.False(await store.CheckHealthAsync(Ct));
            var watch = await Assert.ThrowsAsync<StoreException>(async () =>
            {
                await foreach (var unused in store.WatchAsync(new WatchOptions(ns, ResourceVersion: Rv(before)), Ct))
                {
                    _ = unused;
                }
            }).WaitAsync(TimeSpan.FromSeconds(8), Ct);
            Assert.Equal(StoreErrorKind.Unavailable, watch.Kind);
        }
        finally
        {
            await fixture.Etcd.StartAsync(Ct);
        }

        // The channel reconnects by itself; poll with a deadline.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await store.CreateAsync(Stack(ns, "after"), new WriteOptions(), Ct);
                break;
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.Unavailable && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Ct);
            }
        }

        Assert.True(await store.CheckHealthAsync(Ct));
        var kept = await store.GetAsync(ns, "kept", Ct);
        Assert.Equal(Rv(before), Rv(kept));
        var names = (await store.ListAsync(new ListOptions(ns), Ct)).Items.Select(i => Meta(i, "name"));
        Assert.Equal(["after", "kept"], names);
    }

    [Fact]
    public async Task OpenWatch_SurvivesEtcdRestart_AndSeesLaterChanges()
    {
        var store = fixture.Store;
        var ns = NewNamespace();
        var first = await store.CreateAsync(Stack(ns, "w1"), new WriteOptions(), Ct);
        await using var watch = new WatchRecorder(store, new WatchOptions(ns, ResourceVersion: Rv(first)));
        await store.CreateAsync(Stack(ns, "w2"), new WriteOptions(), Ct);
        Assert.Equal("w2", Meta((await watch.NextAsync()).Object, "name"));

        await fixture.Etcd.StopAsync(Ct);
        await fixture.Etcd.StartAsync(Ct);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await store.CreateAsync(Stack(ns, "w3"), new WriteOptions(), Ct);
                break;
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.Unavailable && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Ct);
            }
        }

        var next = await watch.NextAsync();
        Assert.Equal((StoreWatchEventType.Added, "w3"), (next.Type, Meta(next.Object, "name")));
    }

    [Fact]
    public async Task Compactor_CompactsToRevisionSeenOneIntervalAgo_OldListAndWatchExpire()
    {
        var ns = NewNamespace();
        var old = await fixture.Store.CreateAsync(Stack(ns, "c1"), new WriteOptions(), Ct);
        await fixture.Store.UpdateAsync(ns, "c1", o => { o["spec"]!["services"]![0]!["image"] = "nginx:2"; return o; }, new WriteOptions(), Ct);
        await using var compacting = fixture.NewStore(compactionInterval: TimeSpan.FromMilliseconds(300));

        // Round 1 records the revision, round 2 (an interval later) compacts to it: wait until the old RV is gone.
        var clock = Stopwatch.StartNew();
        StoreException? expired = null;
        while (expired is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no compaction within 30 s");
            try
            {
                await fixture.Store.ListAsync(new ListOptions(ns, ResourceVersion: Rv(old), ResourceVersionMatch: "Exact"), Ct);
                await Task.Delay(100, Ct);
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.Expired)
            {
                expired = e;
            }
        }

        Assert.Equal("The resourceVersion for the provided list is too old.", expired.Message);
        var watch = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            await foreach (var unused in fixture.Store.WatchAsync(new WatchOptions(ns, ResourceVersion: Rv(old)), Ct).WithCancellation(Ct))
            {
                _ = unused;
            }
        }).WaitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.Equal(StoreErrorKind.Expired, watch.Kind);
        Assert.Equal("The resourceVersion for the provided watch is too old.", watch.Message);

        // The latest state is intact.
        Assert.Equal("nginx:2", (await fixture.Store.GetAsync(ns, "c1", Ct))["spec"]!["services"]![0]!["image"]!.GetValue<string>());
    }
}
