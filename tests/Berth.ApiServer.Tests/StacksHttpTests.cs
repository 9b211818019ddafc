using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Tests;

/// <summary>The stacks REST surface over HTTPS on a real etcd, as raw HTTP (the wire details kubectl hides).</summary>
public sealed class StacksHttpTests(StackServerFixture fixture) : IClassFixture<StackServerFixture>
{
    private const string Base = "apis/compose.docker.com/v1alpha3/namespaces/http/stacks";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string StackJson(string name, string extraSpec = "", string service = "web")
        => "{\"apiVersion\":\"compose.docker.com/v1alpha3\",\"kind\":\"Stack\",\"metadata\":{\"name\":\"" + name + "\"},"
            + "\"spec\":{" + extraSpec + "\"services\":[{\"name\":\"" + service + "\",\"image\":\"nginx:1.27\",\"environment\":{\"PASSWORD\":\"s3cret-value\"},"
            + "\"ports\":[{\"target\":80,\"published\":8080,\"protocol\":\"tcp\"}]}]}}";

    private static StringContent Json(string text, string type = "application/json") => new(text, Encoding.UTF8, type);

    private static async Task<JsonObject> Body(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();

    private HttpClient Alice() => fixture.Server.Client(RunningServer.AliceToken);

    private async Task<JsonObject> CreateAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsync(Base, Json(StackJson(name)), Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return await Body(response);
    }

    [Fact]
    public async Task Create_Is201_OwnerIsTheCaller_WhateverTheBodySays()
    {
        using var client = Alice();
        var created = await CreateAsync(client, "owned");
        Assert.Equal("http", created["metadata"]!["namespace"]!.ToString());
        Assert.False(string.IsNullOrEmpty(created["metadata"]!["resourceVersion"]!.ToString()));
        var owner = JsonNode.Parse(await client.GetStringAsync(Base + "/owned/owner", Ct))!;
        Assert.Equal("Owner", owner["kind"]!.ToString());
        Assert.Equal("alice", owner["owner"]!["UserName"]!.ToString());
        Assert.Contains("system:authenticated", owner["owner"]!["Groups"]!.AsArray().Select(g => g!.ToString()));
    }

    [Fact]
    public async Task Owner_IsKeptByWritesThatLeaveTheSpec_AndTakenByOneThatChangesIt()
    {
        using var alice = Alice();
        using var admin = fixture.Server.Client(RunningServer.AdminToken);
        await CreateAsync(alice, "kept");
        async Task<string> OwnerAsync() => JsonNode.Parse(await alice.GetStringAsync(Base + "/kept/owner", Ct))!["owner"]!["UserName"]!.ToString();

        // Labels and finalizers (what a controller writes) do not make the writer the owner.
        using var labels = await admin.PatchAsync(Base + "/kept", Json("""{"metadata":{"labels":{"team":"a"},"finalizers":["compose.docker.com/stack-cleanup"]}}""", "application/merge-patch+json"), Ct);
        Assert.True(labels.IsSuccessStatusCode, await labels.Content.ReadAsStringAsync(Ct));
        Assert.Equal("alice", await OwnerAsync());

        using var image = await admin.PatchAsync(Base + "/kept", Json("""{"spec":{"services":[{"name":"web","image":"nginx:1.28"}]}}""", "application/merge-patch+json"), Ct);
        Assert.True(image.IsSuccessStatusCode, await image.Content.ReadAsStringAsync(Ct));
        Assert.Equal("admin", await OwnerAsync());

        using var release = await admin.PatchAsync(Base + "/kept", Json("""{"metadata":{"finalizers":null}}""", "application/merge-patch+json"), Ct);
        Assert.True(release.IsSuccessStatusCode, await release.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Get_Missing_Is404WordedAsKubernetes()
    {
        using var client = Alice();
        using var response = await client.GetAsync(Base + "/nothing-here", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var status = await Body(response);
        Assert.Equal("stacks.compose.docker.com \"nothing-here\" not found", status["message"]!.ToString());
        Assert.Equal("""{"name":"nothing-here","group":"compose.docker.com","kind":"stacks"}""", status["details"]!.ToJsonString());
    }

    [Fact]
    public async Task Update_WithoutResourceVersion_Is422_Stale_Is409()
    {
        using var client = Alice();
        var created = await CreateAsync(client, "upd");
        var rv = created["metadata"]!["resourceVersion"]!.ToString();
        created["metadata"]!.AsObject().Remove("resourceVersion");
        using var noRv = await client.PutAsync(Base + "/upd", Json(created.ToJsonString()), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noRv.StatusCode);
        Assert.Contains("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", (await Body(noRv))["message"]!.ToString(), StringComparison.Ordinal);

        created["metadata"]!["resourceVersion"] = rv;
        created["metadata"]!["labels"] = new JsonObject { ["v"] = "2" };
        using var first = await client.PutAsync(Base + "/upd", Json(created.ToJsonString()), Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        created["metadata"]!["labels"] = new JsonObject { ["v"] = "3" };
        using var stale = await client.PutAsync(Base + "/upd", Json(created.ToJsonString()), Ct);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var status = await Body(stale);
        Assert.Equal("Conflict", status["reason"]!.ToString());
        Assert.Equal("Operation cannot be fulfilled on stacks.compose.docker.com \"upd\": the object has been modified; please apply your changes to the latest version and try again", status["message"]!.ToString());
    }

    [Fact]
    public async Task Patch_MergeAndJsonPatch_Apply_StrategicIs415()
    {
        using var client = Alice();
        await CreateAsync(client, "pat");
        using var merge = await client.PatchAsync(Base + "/pat", Json("""{"metadata":{"labels":{"m":"1"}}}""", "application/merge-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        Assert.Equal("1", (await Body(merge))["metadata"]!["labels"]!["m"]!.ToString());
        using var jsonPatch = await client.PatchAsync(Base + "/pat", Json("""[{"op":"replace","path":"/spec/services/0/image","value":"nginx:1.28"}]""", "application/json-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.OK, jsonPatch.StatusCode);
        Assert.Equal("nginx:1.28", (await Body(jsonPatch))["spec"]!["services"]![0]!["image"]!.ToString());

        using var smp = await client.PatchAsync(Base + "/pat", Json("{}", "application/strategic-merge-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, smp.StatusCode);
        Assert.Equal("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", (await Body(smp))["message"]!.ToString());
        using var xml = await client.PatchAsync(Base + "/pat", Json("<a/>", "application/xml"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);

        using var noManager = await client.PatchAsync(Base + "/pat", Json(StackJson("pat"), "application/apply-patch+yaml"), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noManager.StatusCode);
        Assert.Contains("fieldManager: Required value: is required for apply patch", (await Body(noManager))["message"]!.ToString(), StringComparison.Ordinal);
        using var applyCreate = await client.PatchAsync(Base + "/applied?fieldManager=test", Json(StackJson("applied"), "application/apply-patch+yaml"), Ct);
        Assert.Equal(HttpStatusCode.Created, applyCreate.StatusCode);
    }

    [Fact]
    public async Task OversizedOrMalformedBody_Is4xx_NothingStored()
    {
        using var client = Alice();
        var huge = StackJson("huge", extraSpec: $"\"padding\":\"{new string('x', 3 * 1024 * 1024)}\",");
        using var tooLarge = await client.PostAsync(Base, Json(huge), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("RequestEntityTooLarge", (await Body(tooLarge))["reason"]!.ToString());
        using var malformed = await client.PostAsync(Base, Json("""{"apiVersion":"compose.docker.com/v1alpha3","kind":"Stack","metadata":{"name":"broken"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        foreach (var name in new[] { "huge", "broken" })
        {
            using var get = await client.GetAsync(Base + "/" + name, Ct);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }
    }

    [Fact]
    public async Task FieldValidation_StrictRefuses_WarnWarns_DryRunStoresNothing()
    {
        using var client = Alice();
        using var strict = await client.PostAsync(Base + "?fieldValidation=Strict", Json(StackJson("strict", extraSpec: "\"x\":1,")), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, strict.StatusCode);
        Assert.Equal("Stack in version \"v1alpha3\" cannot be handled as a Stack: strict decoding error: unknown field \"spec.x\"", (await Body(strict))["message"]!.ToString());

        using var warn = await client.PostAsync(Base + "?fieldValidation=Warn&dryRun=All", Json(StackJson("warned", extraSpec: "\"x\":1,")), Ct);
        Assert.Equal(HttpStatusCode.Created, warn.StatusCode);
        Assert.Equal(["299 - \"unknown field \\\"spec.x\\\"\""], warn.Headers.GetValues("Warning"));
        using var get = await client.GetAsync(Base + "/warned", Ct);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);

        using var badDryRun = await client.PostAsync(Base + "?dryRun=Some", Json(StackJson("dry")), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badDryRun.StatusCode);
    }

    [Fact]
    public async Task Scale_GetAndPut_UnknownServiceIs422()
    {
        using var client = Alice();
        await CreateAsync(client, "scaled");
        var scale = JsonNode.Parse(await client.GetStringAsync(Base + "/scaled/scale", Ct))!;
        Assert.Equal("Scale", scale["kind"]!.ToString());
        Assert.Equal(1, scale["spec"]!["web"]!.GetValue<int>());
        using var unknown = await client.PutAsync(Base + "/scaled/scale", Json("""{"spec":{"nope":2}}"""), Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Equal("Invalid", (await Body(unknown))["reason"]!.ToString());
        using var ok = await client.PutAsync(Base + "/scaled/scale", Json("""{"spec":{"web":3}}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var stack = JsonNode.Parse(await client.GetStringAsync(Base + "/scaled", Ct))!;
        Assert.Equal(3, stack["spec"]!["services"]![0]!["deploy"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task ComposeFile_PostCreates_GetIsText_V1Beta2ReadsStructuredServices_LogIs503()
    {
        using var client = Alice();
        const string compose = "services:\n  api:\n    image: busybox:1.36\n    ports:\n      - \"9090:90\"\n";
        using var post = await client.PostAsync(Base + "/fromfile/composeFile", new StringContent(compose, Encoding.UTF8, "text/plain"), Ct);
        Assert.True(post.StatusCode == HttpStatusCode.Created, await post.Content.ReadAsStringAsync(Ct));
        using var text = await client.GetAsync(Base + "/fromfile/composeFile", Ct);
        Assert.Equal("text/plain", text.Content.Headers.ContentType!.MediaType);
        Assert.Contains("busybox:1.36", await text.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var beta2 = JsonNode.Parse(await client.GetStringAsync("apis/compose.docker.com/v1beta2/namespaces/http/stacks/fromfile", Ct))!;
        Assert.Equal("api", beta2["spec"]!["services"]![0]!["name"]!.ToString());

        using var log = await client.GetAsync(Base + "/fromfile/log", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, log.StatusCode);
        Assert.Contains("standalone", (await Body(log))["message"]!.ToString(), StringComparison.Ordinal);
        using var beta1Scale = await client.GetAsync("apis/compose.docker.com/v1beta1/namespaces/http/stacks/fromfile/scale", Ct);
        Assert.Equal(HttpStatusCode.NotFound, beta1Scale.StatusCode);
    }

    [Fact]
    public async Task List_AsTable_HasTheColumnsAndPartialObjectMetadata_NoSecrets()
    {
        using var client = Alice();
        await CreateAsync(client, "tabled");
        using var request = new HttpRequestMessage(HttpMethod.Get, Base + "?limit=500");
        request.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var table = JsonNode.Parse(text)!;
        Assert.Equal("Table", table["kind"]!.ToString());
        Assert.Equal(["Name", "Services", "Ports", "Status", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()));
        Assert.Equal("name", table["columnDefinitions"]![0]!["format"]!.ToString());
        var row = table["rows"]!.AsArray().Single(r => r!["cells"]![0]!.ToString() == "tabled")!;
        Assert.Equal(1, row["cells"]![1]!.GetValue<int>());
        Assert.Equal("PartialObjectMetadata", row["object"]!["kind"]!.ToString());
        Assert.DoesNotContain("s3cret-value", text, StringComparison.Ordinal);

        using var yaml = new HttpRequestMessage(HttpMethod.Get, Base);
        yaml.Headers.TryAddWithoutValidation("Accept", "application/vnd.kubernetes.protobuf");
        using var notAcceptable = await client.SendAsync(yaml, Ct);
        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable.StatusCode);
    }

    [Fact]
    public async Task Watch_StreamsFlushedJsonLines_EndsAtTimeoutSeconds()
    {
        using var client = Alice();
        var list = JsonNode.Parse(await client.GetStringAsync(Base, Ct))!;
        var rv = list["metadata"]!["resourceVersion"]!.ToString();
        using var watch = await client.GetAsync($"{Base}?watch=true&resourceVersion={rv}&timeoutSeconds=3", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(Ct));
        await CreateAsync(client, "watched");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(20));
        var line = await reader.ReadLineAsync(deadline.Token);
        var e = JsonNode.Parse(line!)!;
        Assert.Equal("ADDED", e["type"]!.ToString());
        Assert.Equal("watched", e["object"]!["metadata"]!["name"]!.ToString());
        Assert.Equal("compose.docker.com/v1alpha3", e["object"]!["apiVersion"]!.ToString());
        // timeoutSeconds ends the stream cleanly.
        Assert.Null(await reader.ReadLineAsync(deadline.Token));
    }

    [Fact]
    public async Task Delete_IsSuccessStatus_DeleteCollectionBySelector()
    {
        using var client = Alice();
        var created = await CreateAsync(client, "gone");
        using var delete = await client.DeleteAsync(Base + "/gone", Ct);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var status = await Body(delete);
        Assert.Equal("Success", status["status"]!.ToString());
        Assert.Equal(created["metadata"]!["uid"]!.ToString(), status["details"]!["uid"]!.ToString());

        const string ns = "apis/compose.docker.com/v1alpha3/namespaces/coll/stacks";
        foreach (var (name, tier) in new[] { ("c1", "a"), ("c2", "a"), ("c3", "b") })
        {
            using var post = await client.PostAsync(ns, Json(StackJson(name).Replace("\"metadata\":{", $"\"metadata\":{{\"labels\":{{\"tier\":\"{tier}\"}},", StringComparison.Ordinal)), Ct);
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        using var collection = await client.DeleteAsync(ns + "?labelSelector=tier%3Da", Ct);
        Assert.Equal(HttpStatusCode.OK, collection.StatusCode);
        Assert.Equal(2, (await Body(collection))["items"]!.AsArray().Count);
        var left = JsonNode.Parse(await client.GetStringAsync(ns, Ct))!;
        Assert.Equal(["c3"], left["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
    }

    [Fact]
    public async Task OpenApiV3_ListsGroupVersionsWithHash_PatchAdvertisesFieldValidation()
    {
        using var client = Alice();
        var root = JsonNode.Parse(await client.GetStringAsync("openapi/v3", Ct))!;
        var url = root["paths"]!["apis/compose.docker.com/v1alpha3"]!["serverRelativeURL"]!.ToString();
        Assert.Matches("^/openapi/v3/apis/compose.docker.com/v1alpha3\\?hash=[0-9A-F]{128}$", url);
        using var document = await client.GetAsync(url.TrimStart('/'), Ct);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        var doc = await Body(document);
        var patch = doc["paths"]!["/apis/compose.docker.com/v1alpha3/namespaces/{namespace}/stacks/{name}"]!["patch"]!;
        Assert.Equal("Stack", patch["x-kubernetes-group-version-kind"]!["kind"]!.ToString());
        Assert.Contains("fieldValidation", patch["parameters"]!.AsArray().Select(p => p!["name"]!.ToString()));
        Assert.DoesNotContain("application/strategic-merge-patch+json", patch["requestBody"]!["content"]!.AsObject().Select(c => c.Key));
        Assert.IsType<JsonArray>(doc["components"]!["schemas"]!["com.docker.compose.v1alpha3.Stack"]!["x-kubernetes-group-version-kind"]);

        using var noRedirect = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = fixture.Server.BaseUri };
        noRedirect.DefaultRequestHeaders.Authorization = new("Bearer", RunningServer.AliceToken);
        using var stale = await noRedirect.GetAsync("openapi/v3/apis/compose.docker.com/v1alpha3?hash=00", Ct);
        Assert.Equal(HttpStatusCode.MovedPermanently, stale.StatusCode);
        var v2 = JsonNode.Parse(await client.GetStringAsync("openapi/v2", Ct))!;
        Assert.Equal("2.0", v2["swagger"]!.ToString());
    }

    [Fact]
    public async Task TwoWritersRacingOnOneResourceVersion_ExactlyOneWins()
    {
        using var client = Alice();
        var created = await CreateAsync(client, "raced");
        var bodies = Enumerable.Range(0, 2).Select(i =>
        {
            var copy = created.DeepClone().AsObject();
            copy["metadata"]!["labels"] = new JsonObject { ["writer"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            return copy.ToJsonString();
        }).ToList();
        var responses = await Task.WhenAll(bodies.Select(b => client.PutAsync(Base + "/raced", Json(b), Ct)));
        try
        {
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        }
        finally
        {
            foreach (var r in responses)
            {
                r.Dispose();
            }
        }
    }

    [Fact]
    public async Task PartialObjectMetadata_ListAndWatch_ForTheGarbageCollector()
    {
        using var client = Alice();
        await CreateAsync(client, "meta-only");
        using var list = new HttpRequestMessage(HttpMethod.Get, Base);
        list.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        using var listed = await client.SendAsync(list, Ct);
        var body = await Body(listed);
        Assert.Equal("PartialObjectMetadataList", body["kind"]!.ToString());
        var item = body["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.ToString() == "meta-only")!;
        Assert.Equal("PartialObjectMetadata", item["kind"]!.ToString());
        Assert.Null(item["spec"]);

        using var watch = new HttpRequestMessage(HttpMethod.Get, Base + "?watch=true&timeoutSeconds=2&fieldSelector=metadata.name%3Dmeta-only");
        watch.Headers.TryAddWithoutValidation("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        using var watched = await client.SendAsync(watch, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await watched.Content.ReadAsStreamAsync(Ct));
        var first = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
        Assert.Equal("ADDED", first["type"]!.ToString());
        Assert.Equal("PartialObjectMetadata", first["object"]!["kind"]!.ToString());
        Assert.Equal("meta.k8s.io/v1", first["object"]!["apiVersion"]!.ToString());
    }

    [Fact]
    public async Task Watch_FromACompactedResourceVersion_IsAnErrorEvent410()
    {
        using var client = Alice();
        var created = await CreateAsync(client, "compacted");
        var oldRv = created["metadata"]!["resourceVersion"]!.ToString();
        using (await client.PatchAsync(Base + "/compacted", Json("""{"metadata":{"labels":{"a":"1"}}}""", "application/merge-patch+json"), Ct))
        {
        }

        var current = JsonNode.Parse(await client.GetStringAsync(Base + "/compacted", Ct))!["metadata"]!["resourceVersion"]!.ToString();
        using (var etcd = new dotnet_etcd.EtcdClient(fixture.Etcd.Endpoint))
        {
            await etcd.CompactAsync(new Etcdserverpb.CompactionRequest { Revision = long.Parse(current, System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken: Ct);
        }

        using var watch = await client.GetAsync($"{Base}?watch=true&resourceVersion={oldRv}&timeoutSeconds=5", HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, watch.StatusCode);
        using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync(Ct));
        var e = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
        Assert.Equal("ERROR", e["type"]!.ToString());
        Assert.Equal("Status", e["object"]!["kind"]!.ToString());
        Assert.Equal(410, e["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", e["object"]!["reason"]!.ToString());
        Assert.Null(await reader.ReadLineAsync(Ct));
    }
}
