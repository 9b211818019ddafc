using System.Globalization;
using System.Text.Json.Nodes;
using Berth.StackApi.Storage;
using static Berth.StackApi.Tests.Storage.EtcdFixture;

namespace Berth.StackApi.Tests.Storage;

/// <summary>Update and delete rules (generic registry store.go, rest/update.go, rest/delete.go) against a real etcd.</summary>
public sealed class EtcdStackStoreWriteTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EtcdStackStore Store => fixture.Store;

    private static long N(string rv) => long.Parse(rv, CultureInfo.InvariantCulture);

    private static JsonObject SetImage(JsonObject obj, string image)
    {
        obj["spec"]!["services"]![0]!["image"] = image;
        return obj;
    }

    [Fact]
    public async Task Update_SpecChange_BumpsGenerationAndResourceVersion()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "u"), new WriteOptions(), Ct);

        var updated = await Store.UpdateAsync(ns, "u", o => SetImage(o, "nginx:2"), new WriteOptions(), Ct);

        Assert.Equal("2", Meta(updated, "generation"));
        Assert.True(N(Rv(updated)) > N(Rv(created)));
        var read = await Store.GetAsync(ns, "u", Ct);
        Assert.Equal("nginx:2", read["spec"]!["services"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(Rv(updated), Rv(read));
    }

    [Fact]
    public async Task Update_FieldAddedOrRemovedOutsideMetadataAndStatus_BumpsGeneration_AndStoresNoResourceVersionOrSelfLink()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "f"), new WriteOptions(), Ct);

        var added = await Store.UpdateAsync(ns, "f", o => { o["extra"] = null; o["metadata"]!["selfLink"] = "/x"; return o; }, new WriteOptions(), Ct);
        var removed = await Store.UpdateAsync(ns, "f", o => { o.Remove("extra"); return o; }, new WriteOptions(), Ct);

        Assert.Equal("2", Meta(added, "generation"));
        Assert.Equal("3", Meta(removed, "generation"));
        using var etcd = new dotnet_etcd.EtcdClient(fixture.Etcd.Endpoint);
        var stored = JsonNode.Parse(await etcd.GetValAsync($"/registry/compose.docker.com/stacks/{ns}/f", cancellationToken: Ct))!.AsObject();
        Assert.Null(stored["metadata"]!["resourceVersion"]);
        Assert.False(stored["metadata"]!.AsObject().ContainsKey("selfLink"));
        Assert.False(stored.ContainsKey("extra"));
        Assert.Equal("3", Meta(stored, "generation"));
    }

    [Fact]
    public async Task Update_MetadataOrStatusOnly_KeepsGeneration()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "m"), new WriteOptions(), Ct);

        var labelled = await Store.UpdateAsync(ns, "m", o => { o["metadata"]!["labels"]!["x"] = "y"; return o; }, new WriteOptions(), Ct);
        var status = await Store.UpdateAsync(ns, "m", o => { o["status"] = new JsonObject { ["phase"] = "Available" }; return o; }, new WriteOptions(), Ct);

        Assert.Equal("1", Meta(labelled, "generation"));
        Assert.Equal("1", Meta(status, "generation"));
        Assert.True(N(Rv(status)) > N(Rv(labelled)));
    }

    [Fact]
    public async Task Update_Unchanged_WritesNothing_SameResourceVersion()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "same"), new WriteOptions(), Ct);

        var updated = await Store.UpdateAsync(ns, "same", o => o, new WriteOptions(), Ct);
        var after = await Store.ListAsync(new ListOptions(ns), Ct);

        Assert.Equal(Rv(created), Rv(updated));
        Assert.Equal(Rv(created), Rv(after.Items[0]));
    }

    [Fact]
    public async Task Update_StaleResourceVersion_IsConflict_WordedAsApiServer()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "x"), new WriteOptions(), Ct);
        await Store.UpdateAsync(ns, "x", o => SetImage(o, "nginx:2"), new WriteOptions(), Ct);

        var e = await Assert.ThrowsAsync<StoreException>(() => Store.UpdateAsync(
            ns, "x", o => { SetImage(o, "nginx:3"); o["metadata"]!["resourceVersion"] = Rv(created); return o; }, new WriteOptions(), Ct));

        Assert.Equal(StoreErrorKind.Conflict, e.Kind);
        Assert.Equal("Operation cannot be fulfilled on stacks.compose.docker.com \"x\": the object has been modified; please apply your changes to the latest version and try again", e.Message);
        Assert.Equal("nginx:2", (await Store.GetAsync(ns, "x", Ct))["spec"]!["services"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_Missing_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => Store.UpdateAsync(NewNamespace(), "ghost", o => o, new WriteOptions(), Ct));

        Assert.Equal((StoreErrorKind.NotFound, "stacks.compose.docker.com \"ghost\" not found"), (e.Kind, e.Message));
    }

    [Fact]
    public async Task Update_ClientCannotSetSystemFields()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "sys"), new WriteOptions(), Ct);

        var updated = await Store.UpdateAsync(ns, "sys", o =>
        {
            var m = o["metadata"]!;
            m["uid"] = "forged";
            m["creationTimestamp"] = "2000-01-01T00:00:00Z";
            m["generation"] = 99;
            m["deletionTimestamp"] = "2000-01-01T00:00:00Z";
            return SetImage(o, "nginx:2");
        }, new WriteOptions(), Ct);

        Assert.Equal(Meta(created, "uid"), Meta(updated, "uid"));
        Assert.Equal(Meta(created, "creationTimestamp"), Meta(updated, "creationTimestamp"));
        Assert.Equal("2", Meta(updated, "generation"));
        Assert.Null(Meta(updated, "deletionTimestamp"));
        Assert.True(JsonNode.DeepEquals(updated, await Store.GetAsync(ns, "sys", Ct)));
    }

    [Fact]
    public async Task Update_DryRun_WritesNothing()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "dry"), new WriteOptions(), Ct);

        var result = await Store.UpdateAsync(ns, "dry", o => SetImage(o, "nginx:2"), new WriteOptions(DryRun: true), Ct);

        Assert.Equal("nginx:2", result["spec"]!["services"]![0]!["image"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(created, await Store.GetAsync(ns, "dry", Ct)));
    }

    [Fact]
    public async Task TwoWritersRacingWithOneResourceVersion_ExactlyOneWins_TwentyRounds()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "race"), new WriteOptions(), Ct);
        await using var other = fixture.NewStore();

        for (var round = 0; round < 20; round++)
        {
            var seen = await Store.GetAsync(ns, "race", Ct);
            var rv = Rv(seen);
            using var go = new SemaphoreSlim(0, 2);
            async Task<bool> Write(IStackStore store, string image)
            {
                await go.WaitAsync(Ct);
                try
                {
                    await store.UpdateAsync(ns, "race", o => { SetImage(o, image); o["metadata"]!["resourceVersion"] = rv; return o; }, new WriteOptions(), Ct);
                    return true;
                }
                catch (StoreException e) when (e.Kind == StoreErrorKind.Conflict)
                {
                    return false;
                }
            }

            var a = Task.Run(() => Write(Store, $"a:{round}"), Ct);
            var b = Task.Run(() => Write(other, $"b:{round}"), Ct);
            go.Release(2);
            var results = await Task.WhenAll(a, b);

            Assert.Equal(1, results.Count(won => won));
            var image = (await Store.GetAsync(ns, "race", Ct))["spec"]!["services"]![0]!["image"]!.GetValue<string>();
            Assert.Equal(results[0] ? $"a:{round}" : $"b:{round}", image);
        }
    }

    [Fact]
    public async Task Delete_WithoutFinalizers_RemovesIt_ReturnsLastObject()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "d"), new WriteOptions(), Ct);

        var result = await Store.DeleteAsync(ns, "d", new DeleteOptions(), Ct);

        Assert.True(result.Deleted);
        Assert.Equal(Meta(created, "uid"), Meta(result.Object, "uid"));
        var e = await Assert.ThrowsAsync<StoreException>(() => Store.GetAsync(ns, "d", Ct));
        Assert.Equal(StoreErrorKind.NotFound, e.Kind);
        var again = await Assert.ThrowsAsync<StoreException>(() => Store.DeleteAsync(ns, "d", new DeleteOptions(), Ct));
        Assert.Equal(StoreErrorKind.NotFound, again.Kind);
    }

    [Fact]
    public async Task Delete_DryRun_KeepsIt()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "dd"), new WriteOptions(), Ct);

        var result = await Store.DeleteAsync(ns, "dd", new DeleteOptions(DryRun: true), Ct);

        Assert.True(result.Deleted);
        await Store.GetAsync(ns, "dd", Ct);
    }

    [Fact]
    public async Task Delete_Preconditions_MismatchIsConflict()
    {
        var ns = NewNamespace();
        var created = await Store.CreateAsync(Stack(ns, "pre"), new WriteOptions(), Ct);

        var uid = await Assert.ThrowsAsync<StoreException>(() => Store.DeleteAsync(ns, "pre", new DeleteOptions(PreconditionUid: "other"), Ct));
        var rv = await Assert.ThrowsAsync<StoreException>(() => Store.DeleteAsync(ns, "pre", new DeleteOptions(PreconditionResourceVersion: "1"), Ct));

        Assert.Equal(StoreErrorKind.Conflict, uid.Kind);
        Assert.Equal($"Operation cannot be fulfilled on Stack.compose.docker.com \"pre\": the UID in the precondition (other) does not match the UID in record ({Meta(created, "uid")}). The object might have been deleted and then recreated", uid.Message);
        Assert.Equal(StoreErrorKind.Conflict, rv.Kind);
        Assert.StartsWith("Operation cannot be fulfilled on Stack.compose.docker.com \"pre\": the ResourceVersion in the precondition (1) does not match", rv.Message, StringComparison.Ordinal);
        await Store.GetAsync(ns, "pre", Ct);

        var matching = await Store.DeleteAsync(ns, "pre", new DeleteOptions(PreconditionUid: Meta(created, "uid"), PreconditionResourceVersion: Rv(created)), Ct);
        Assert.True(matching.Deleted);
    }

    [Fact]
    public async Task Delete_WithFinalizers_MarksTerminating_LastFinalizerRemovalDeletes()
    {
        var ns = NewNamespace();
        var body = Stack(ns, "fin");
        body["metadata"]!["finalizers"] = new JsonArray("example.com/a", "example.com/b");
        await Store.CreateAsync(body, new WriteOptions(), Ct);

        var result = await Store.DeleteAsync(ns, "fin", new DeleteOptions(), Ct);

        Assert.False(result.Deleted);
        Assert.NotNull(Meta(result.Object, "deletionTimestamp"));
        Assert.Equal("0", Meta(result.Object, "deletionGracePeriodSeconds"));
        Assert.Equal("2", Meta(result.Object, "generation"));
        var stored = await Store.GetAsync(ns, "fin", Ct);
        Assert.Equal(Meta(result.Object, "deletionTimestamp"), Meta(stored, "deletionTimestamp"));

        // A second delete changes nothing.
        var again = await Store.DeleteAsync(ns, "fin", new DeleteOptions(), Ct);
        Assert.Equal(Rv(stored), Rv(again.Object));

        var one = await Store.UpdateAsync(ns, "fin", o => { o["metadata"]!["finalizers"] = new JsonArray("example.com/b"); return o; }, new WriteOptions(), Ct);
        Assert.Equal(Meta(stored, "deletionTimestamp"), Meta(one, "deletionTimestamp"));
        await Store.GetAsync(ns, "fin", Ct);

        await Store.UpdateAsync(ns, "fin", o => { o["metadata"]!.AsObject().Remove("finalizers"); return o; }, new WriteOptions(), Ct);
        var e = await Assert.ThrowsAsync<StoreException>(() => Store.GetAsync(ns, "fin", Ct));
        Assert.Equal(StoreErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public async Task Delete_OrphanPolicy_AddsOrphanFinalizer()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "orph"), new WriteOptions(), Ct);

        var result = await Store.DeleteAsync(ns, "orph", new DeleteOptions(PropagationPolicy: "Orphan"), Ct);

        Assert.False(result.Deleted);
        Assert.Equal(["orphan"], result.Object["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
    }
}
