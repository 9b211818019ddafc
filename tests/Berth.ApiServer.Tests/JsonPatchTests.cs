using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.ApiServer.Tests;

/// <summary>JSON patch (RFC 6902) on stacks over HTTPS on a real etcd, as kube-apiserver applies it (handlers/patch.go, evanphx/json-patch).</summary>
public sealed class JsonPatchTests(StackServerFixture fixture) : IClassFixture<StackServerFixture>
{
    private const string Base = "apis/compose.docker.com/v1alpha3/namespaces/jsonpatch/stacks";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Body(string text, string type) => new(text, Encoding.UTF8, type);

    private async Task<(HttpStatusCode Code, JsonObject Body)> PatchAsync(HttpClient client, string name, string operations)
    {
        using var response = await client.PatchAsync($"{Base}/{name}", Body(operations, "application/json-patch+json"), Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    private async Task<HttpClient> CreateAsync(string name)
    {
        var client = fixture.Server.Client(RunningServer.AliceToken);
        var stack = "{\"apiVersion\":\"compose.docker.com/v1alpha3\",\"kind\":\"Stack\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"a\":\"1\"}},"
            + "\"spec\":{\"services\":[{\"name\":\"web\",\"image\":\"nginx:1.27\",\"environment\":{\"PASSWORD\":\"s3cret-value\"}}]}}";
        using var created = await client.PostAsync(Base, Body(stack, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return client;
    }

    [Fact]
    public async Task Operations_ApplyInOrder_TestGuardsTheRest()
    {
        using var client = await CreateAsync("jp-ops");
        var (code, patched) = await PatchAsync(client, "jp-ops", """
            [{"op":"test","path":"/spec/services/0/image","value":"nginx:1.27"},
             {"op":"replace","path":"/spec/services/0/image","value":"nginx:1.28"},
             {"op":"add","path":"/spec/services/-","value":{"name":"db","image":"postgres:17","environment":{"X":"1","Y":"2"}}},
             {"op":"move","from":"/metadata/labels/a","path":"/metadata/labels/b"},
             {"op":"copy","from":"/metadata/labels","path":"/metadata/annotations"},
             {"op":"remove","path":"/spec/services/1/environment/X"},
             {"op":"add","path":"/metadata/labels/x~1y","value":"z"}]
            """);
        Assert.True(code == HttpStatusCode.OK, patched.ToJsonString());
        Assert.Equal("nginx:1.28", patched["spec"]!["services"]![0]!["image"]!.ToString());
        Assert.Equal("db", patched["spec"]!["services"]![1]!["name"]!.ToString());
        Assert.Equal("""{"Y":"2"}""", patched["spec"]!["services"]![1]!["environment"]!.ToJsonString());
        Assert.Equal("""{"b":"1","x/y":"z"}""", patched["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("""{"b":"1"}""", patched["metadata"]!["annotations"]!.ToJsonString());
    }

    [Fact]
    public async Task AFailingOperation_Is422_NothingChanges_NoValueIsQuoted()
    {
        using var client = await CreateAsync("jp-fail");
        var before = JsonNode.Parse(await client.GetStringAsync($"{Base}/jp-fail", Ct))!;

        var (code, status) = await PatchAsync(client, "jp-fail", """
            [{"op":"replace","path":"/spec/services/0/image","value":"nginx:9"},
             {"op":"test","path":"/spec/services/0/environment/PASSWORD","value":"guess"}]
            """);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("testing value /spec/services/0/environment/PASSWORD failed", status["message"]!.ToString());
        Assert.DoesNotContain("s3cret-value", status.ToJsonString(), StringComparison.Ordinal);

        (code, status) = await PatchAsync(client, "jp-fail", """[{"op":"remove","path":"/spec/nothing"}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("remove operation does not apply: doc is missing path: /spec/nothing", status["message"]!.ToString());

        (code, status) = await PatchAsync(client, "jp-fail", """[{"op":"add","path":"/spec/services/7","value":{}}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);

        (code, status) = await PatchAsync(client, "jp-fail", """[{"op":"frob","path":"/spec"}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Equal("Unexpected kind: frob", status["message"]!.ToString());

        using var notArray = await client.PatchAsync($"{Base}/jp-fail", Body("""{"op":"add"}""", "application/json-patch+json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notArray.StatusCode);

        var after = JsonNode.Parse(await client.GetStringAsync($"{Base}/jp-fail", Ct))!;
        Assert.Equal(before["metadata"]!["resourceVersion"]!.ToString(), after["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal("nginx:1.27", after["spec"]!["services"]![0]!["image"]!.ToString());
    }
}
