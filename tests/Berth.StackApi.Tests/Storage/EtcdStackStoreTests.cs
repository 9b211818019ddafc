using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.StackApi.Storage;
using static Berth.StackApi.Tests.Storage.EtcdFixture;

namespace Berth.StackApi.Tests.Storage;

/// <summary>Create, get, update, delete and list against a real etcd.</summary>
public sealed partial class EtcdStackStoreTests(EtcdFixture fixture) : IClassFixture<EtcdFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private EtcdStackStore Store => fixture.Store;

    [Fact]
    public async Task Create_SetsSystemFields_AndGetReadsItBack()
    {
        var ns = NewNamespace();
        var body = Stack(ns, "web");
        body["metadata"]!["uid"] = "client-chosen";
        body["metadata"]!["generation"] = 7;
        body["metadata"]!["resourceVersion"] = "12345";

        var created = await Store.CreateAsync(body, new WriteOptions(), Ct);

        Assert.True(Guid.TryParse(Meta(created, "uid"), out _));
        Assert.Matches(RfcSeconds(), Meta(created, "creationTimestamp")!);
        Assert.Equal("1", Meta(created, "generation"));
        Assert.True(long.Parse(Rv(created), System.Globalization.CultureInfo.InvariantCulture) > 0);
        var read = await Store.GetAsync(ns, "web", Ct);
        Assert.True(JsonNode.DeepEquals(created, read), $"{created}\n!=\n{read}");
    }

    [Fact]
    public async Task Create_StoresJsonUnderPrefixKey_WithoutResourceVersion()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "keyed"), new WriteOptions(), Ct);

        using var etcd = new dotnet_etcd.EtcdClient(fixture.Etcd.Endpoint);
        var value = await etcd.GetValAsync($"/registry/compose.docker.com/stacks/{ns}/keyed", cancellationToken: Ct);
        var stored = JsonNode.Parse(value)!.AsObject();
        Assert.Null(stored["metadata"]!["resourceVersion"]);
        Assert.Equal("keyed", Meta(stored, "name"));
        Assert.Equal("nginx:1.27", stored["spec"]!["services"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_Existing_IsAlreadyExists()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "dup"), new WriteOptions(), Ct);

        var e = await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(Stack(ns, "dup"), new WriteOptions(), Ct));

        Assert.Equal(StoreErrorKind.AlreadyExists, e.Kind);
        Assert.Equal("stacks.compose.docker.com \"dup\" already exists", e.Message);
    }

    [Fact]
    public async Task Create_TerminatingExisting_SaysBeingDeleted()
    {
        var ns = NewNamespace();
        var body = Stack(ns, "dying");
        body["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await Store.CreateAsync(body, new WriteOptions(), Ct);
        await Store.DeleteAsync(ns, "dying", new DeleteOptions(), Ct);

        var e = await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(Stack(ns, "dying"), new WriteOptions(), Ct));

        Assert.Equal(StoreErrorKind.AlreadyExists, e.Kind);
        Assert.Equal("object is being deleted: stacks.compose.docker.com \"dying\" already exists", e.Message);
    }

    [Fact]
    public async Task Create_GenerateName_AppendsFiveCharactersWithoutVowels()
    {
        var ns = NewNamespace();
        var body = Stack(ns, "");
        body["metadata"]!.AsObject().Remove("name");
        body["metadata"]!["generateName"] = "gen-";

        var created = await Store.CreateAsync(body, new WriteOptions(), Ct);

        Assert.Matches(GeneratedName(), Meta(created, "name")!);
        await Store.GetAsync(ns, Meta(created, "name")!, Ct);
    }

    [Fact]
    public async Task Create_WithoutNameOrGenerateName_IsInvalid()
    {
        var body = Stack(NewNamespace(), "");
        body["metadata"]!.AsObject().Remove("name");

        var e = await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(body, new WriteOptions(), Ct));

        Assert.Equal(StoreErrorKind.Invalid, e.Kind);
        Assert.Equal("metadata.name", Assert.Single(e.Causes).Field);
    }

    [Fact]
    public async Task Create_DryRun_WritesNothing_HasUidButNoResourceVersion()
    {
        var ns = NewNamespace();

        var created = await Store.CreateAsync(Stack(ns, "dry"), new WriteOptions(DryRun: true), Ct);

        Assert.NotNull(Meta(created, "uid"));
        Assert.Null(Meta(created, "resourceVersion"));
        var e = await Assert.ThrowsAsync<StoreException>(() => Store.GetAsync(ns, "dry", Ct));
        Assert.Equal(StoreErrorKind.NotFound, e.Kind);
    }

    [Theory]
    [InlineData(".", "Name parameter invalid: \".\": may not be '.'")]
    [InlineData("..", "Name parameter invalid: \"..\": may not be '..'")]
    [InlineData("a/b", "Name parameter invalid: \"a/b\": may not contain '/'")]
    [InlineData("a%b", "Name parameter invalid: \"a%b\": may not contain '%'")]
    public async Task InvalidPathNames_AreBadRequest(string name, string message)
    {
        var ns = NewNamespace();

        var create = await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(Stack(ns, name), new WriteOptions(), Ct));
        var get = await Assert.ThrowsAsync<StoreException>(() => Store.GetAsync(ns, name, Ct));

        Assert.Equal((StoreErrorKind.BadRequest, message), (create.Kind, create.Message));
        Assert.Equal((StoreErrorKind.BadRequest, message), (get.Kind, get.Message));
    }

    [Fact]
    public async Task Get_Missing_IsNotFound()
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => Store.GetAsync(NewNamespace(), "nope", Ct));

        Assert.Equal(StoreErrorKind.NotFound, e.Kind);
        Assert.Equal("stacks.compose.docker.com \"nope\" not found", e.Message);
        Assert.Equal("nope", e.Name);
    }

    [Fact]
    public async Task ObserveRequest_SeesEachEtcdCall()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Operation, bool Answered)>();
        await using var store = new EtcdStackStore(new EtcdStoreOptions([fixture.Etcd.Endpoint])
        {
            CompactionInterval = TimeSpan.Zero,
            ObserveRequest = (operation, elapsed, answered) => seen.Enqueue((operation, answered)),
        });
        var ns = NewNamespace();

        await store.CreateAsync(Stack(ns, "observed"), new WriteOptions(), Ct);
        await store.GetAsync(ns, "observed", Ct);

        Assert.Equal([("txn", true), ("range", true)], seen);
    }

    // ---- list ----

    [Fact]
    public async Task List_Namespace_OnlyThatNamespace_ResourceVersionIsHeaderRevision()
    {
        var ns = NewNamespace();
        var other = NewNamespace();
        await Store.CreateAsync(Stack(ns, "a"), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "b"), new WriteOptions(), Ct);
        var last = await Store.CreateAsync(Stack(other, "c"), new WriteOptions(), Ct);

        var list = await Store.ListAsync(new ListOptions(ns), Ct);
        var all = await Store.ListAsync(new ListOptions(null), Ct);

        Assert.Equal(["a", "b"], list.Items.Select(i => Meta(i, "name")));
        Assert.True(long.Parse(list.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) >= long.Parse(Rv(last), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(all.Items, i => Meta(i, "namespace") == other);
        Assert.Contains(all.Items, i => Meta(i, "namespace") == ns);
        Assert.Null(list.Continue);
    }

    [Fact]
    public async Task List_Empty_HasNoItems()
    {
        var list = await Store.ListAsync(new ListOptions(NewNamespace()), Ct);

        Assert.Empty(list.Items);
        Assert.Null(list.RemainingItemCount);
    }

    [Fact]
    public async Task List_Paging_ContinueReadsAtFirstRevision_WithRemainingCount()
    {
        var ns = NewNamespace();
        foreach (var name in new[] { "p1", "p2", "p3", "p4", "p5" })
        {
            await Store.CreateAsync(Stack(ns, name), new WriteOptions(), Ct);
        }

        var first = await Store.ListAsync(new ListOptions(ns, Limit: 2), Ct);
        await Store.CreateAsync(Stack(ns, "p6"), new WriteOptions(), Ct); // after the first page: not in this list
        var second = await Store.ListAsync(new ListOptions(ns, Limit: 2, Continue: first.Continue), Ct);
        var third = await Store.ListAsync(new ListOptions(ns, Limit: 2, Continue: second.Continue), Ct);

        Assert.Equal(["p1", "p2"], first.Items.Select(i => Meta(i, "name")));
        Assert.Equal(3, first.RemainingItemCount);
        Assert.Equal(["p3", "p4"], second.Items.Select(i => Meta(i, "name")));
        Assert.Equal(["p5"], third.Items.Select(i => Meta(i, "name")));
        Assert.Null(third.Continue);
        Assert.Equal(first.ResourceVersion, second.ResourceVersion);
        Assert.Equal(first.ResourceVersion, third.ResourceVersion);

        var token = JsonNode.Parse(Decode(first.Continue!))!.AsObject();
        Assert.Equal("meta.k8s.io/v1", token["v"]!.GetValue<string>());
        Assert.Equal(first.ResourceVersion, token["rv"]!.ToString());
        Assert.Equal("p2\u0000", token["start"]!.GetValue<string>());
        Assert.DoesNotContain('=', first.Continue!);
    }

    [Fact]
    public async Task List_AllNamespaces_UnderOwnPrefix_PagesAcrossNamespaces()
    {
        var prefix = "/berth-test/" + Guid.NewGuid().ToString("N")[..8] + "/stacks";
        await using var store = new EtcdStackStore(new EtcdStoreOptions([fixture.Etcd.Endpoint], KeyPrefix: prefix) { CompactionInterval = TimeSpan.Zero });
        await store.CreateAsync(Stack("a", "one"), new WriteOptions(), Ct);
        await store.CreateAsync(Stack("a", "two"), new WriteOptions(), Ct);
        await store.CreateAsync(Stack("b", "one"), new WriteOptions(), Ct);

        var first = await store.ListAsync(new ListOptions(null, Limit: 2), Ct);
        var second = await store.ListAsync(new ListOptions(null, Limit: 2, Continue: first.Continue), Ct);

        Assert.Equal(["a/one", "a/two"], first.Items.Select(i => $"{Meta(i, "namespace")}/{Meta(i, "name")}"));
        // On the wire the NUL is escaped as Go's encoding/json writes it.
        Assert.Equal("a/two\\u0000", JsonNode.Parse(Decode(first.Continue!))!["start"]!.ToJsonString()[1..^1]);
        Assert.Equal(["b/one"], second.Items.Select(i => $"{Meta(i, "namespace")}/{Meta(i, "name")}"));
        using var etcd = new dotnet_etcd.EtcdClient(fixture.Etcd.Endpoint);
        Assert.Equal(3, (await etcd.GetRangeAsync(prefix + "/", cancellationToken: Ct)).Count);
        Assert.Empty((await Store.ListAsync(new ListOptions("a"), Ct)).Items); // the default prefix does not see them
    }

    [Fact]
    public async Task List_ContinueWithResourceVersion_IsBadRequest()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "x1"), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "x2"), new WriteOptions(), Ct);
        var first = await Store.ListAsync(new ListOptions(ns, Limit: 1), Ct);

        var e = await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(new ListOptions(ns, Limit: 1, Continue: first.Continue, ResourceVersion: first.ResourceVersion), Ct));

        Assert.Equal((StoreErrorKind.BadRequest, "specifying resource version is not allowed when using continue"), (e.Kind, e.Message));
    }

    [Fact]
    public async Task List_ResourceVersionAheadOfEtcd_IsTooLarge()
    {
        var list = await Store.ListAsync(new ListOptions(null), Ct);
        var ahead = long.Parse(list.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) + 1000;

        var e = await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(new ListOptions(null, ResourceVersion: ahead.ToString(System.Globalization.CultureInfo.InvariantCulture)), Ct));

        Assert.Equal(StoreErrorKind.ResourceVersionTooLarge, e.Kind);
        Assert.Matches($"^Too large resource version: {ahead}, current: [0-9]+$", e.Message);
    }

    [Fact]
    public async Task List_ExactResourceVersion_ReadsThePast()
    {
        var ns = NewNamespace();
        var one = await Store.CreateAsync(Stack(ns, "e1"), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "e2"), new WriteOptions(), Ct);

        var past = await Store.ListAsync(new ListOptions(ns, ResourceVersion: Rv(one), ResourceVersionMatch: "Exact"), Ct);
        var atLeast = await Store.ListAsync(new ListOptions(ns, ResourceVersion: Rv(one)), Ct);

        Assert.Equal(["e1"], past.Items.Select(i => Meta(i, "name")));
        Assert.Equal(Rv(one), past.ResourceVersion);
        Assert.Equal(["e1", "e2"], atLeast.Items.Select(i => Meta(i, "name")));
    }

    [Fact]
    public async Task List_LabelAndFieldSelectors_Filter_WithoutRemainingCount()
    {
        var ns = NewNamespace();
        await Store.CreateAsync(Stack(ns, "l1", new JsonObject { ["tier"] = "front", ["env"] = "prod" }), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "l2", new JsonObject { ["tier"] = "back" }), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "l3", new JsonObject { ["tier"] = "front" }), new WriteOptions(), Ct);
        await Store.CreateAsync(Stack(ns, "l4"), new WriteOptions(), Ct);

        async Task<string[]> Names(string? labels, string? fields = null, long? limit = null)
            => [.. (await Store.ListAsync(new ListOptions(ns, labels, fields, limit), Ct)).Items.Select(i => Meta(i, "name")!)];

        Assert.Equal(["l1", "l3"], await Names("tier=front"));
        Assert.Equal(["l1", "l3"], await Names("tier==front"));
        Assert.Equal(["l2", "l4"], await Names("tier!=front"));
        Assert.Equal(["l1", "l2", "l3"], await Names("tier in (front,back)"));
        Assert.Equal(["l2", "l4"], await Names("tier notin (front)"));
        Assert.Equal(["l1", "l2", "l3"], await Names("tier"));
        Assert.Equal(["l4"], await Names("!tier"));
        Assert.Equal(["l1"], await Names("tier=front,env"));
        Assert.Equal(["l3"], await Names("tier=front", "metadata.name!=l1"));
        Assert.Equal(["l2"], await Names(null, "metadata.name=l2"));
        Assert.Equal(["l2"], await Names(null, $"metadata.namespace={ns},metadata.name==l2"));

        var paged = await Store.ListAsync(new ListOptions(ns, "tier=front", Limit: 1), Ct);
        Assert.Equal(["l1"], paged.Items.Select(i => Meta(i, "name")));
        Assert.NotNull(paged.Continue);
        Assert.Null(paged.RemainingItemCount);
        var rest = await Store.ListAsync(new ListOptions(ns, "tier=front", Limit: 1, Continue: paged.Continue), Ct);
        Assert.Equal(["l3"], rest.Items.Select(i => Meta(i, "name")));
    }

    [Fact]
    public async Task List_UnknownFieldSelector_IsBadRequest()
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(new ListOptions(null, FieldSelector: "spec.x=1"), Ct));

        Assert.Equal(StoreErrorKind.BadRequest, e.Kind);
        Assert.Equal("\"spec.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"", e.Message);
    }

    private static string Decode(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")]
    private static partial Regex RfcSeconds();

    [GeneratedRegex("^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$")]
    private static partial Regex GeneratedName();
}
