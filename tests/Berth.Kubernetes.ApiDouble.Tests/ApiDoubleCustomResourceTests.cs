using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Custom resources in the Kubernetes API test double (the documented double, not a cluster), held to
/// apiextensions-apiserver: a stored CRD is established and its resources served at every served version (stored at
/// the storage version), found through discovery, pruned and validated by the version's schema with the server's
/// wording, and converted through a conversion webhook over HTTPS verified with the caBundle.
/// </summary>
public sealed class ApiDoubleCustomResourceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal const string Schema = """
        {"type":"object","properties":{
          "spec":{"type":"object","required":["image"],"properties":{
            "image":{"type":"string"},"size":{"type":"integer"},"color":{"type":"string","enum":["red","blue"]},"level":{"type":"integer","enum":[1,2]},
            "port":{"x-kubernetes-int-or-string":true},"note":{"type":"string","nullable":true},
            "created":{"type":"string","format":"date-time"},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
            "services":{"type":"array","items":{"type":"object","properties":{"image":{"type":"string"}}}}}},
          "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}
        """;

    private const string BetaSchema = """
        {"type":"object","properties":{
          "spec":{"type":"object","properties":{"picture":{"type":"string"},"size":{"type":"integer"}}},
          "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}
        """;

    /// <summary>widgets.example.com: v1 stored, v1beta1 served (spec.picture for v1's spec.image), status subresource.</summary>
    internal static JsonObject Crd(JsonObject? conversion = null) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = "widgets.example.com" },
        ["spec"] = new JsonObject
        {
            ["group"] = "example.com",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject { ["plural"] = "widgets", ["singular"] = "widget", ["kind"] = "Widget", ["shortNames"] = new JsonArray("wd") },
            ["versions"] = new JsonArray(
                new JsonObject { ["name"] = "v1beta1", ["served"] = true, ["storage"] = false, ["subresources"] = new JsonObject { ["status"] = new JsonObject() }, ["schema"] = new JsonObject { ["openAPIV3Schema"] = Json(BetaSchema) } },
                new JsonObject { ["name"] = "v1", ["served"] = true, ["storage"] = true, ["subresources"] = new JsonObject { ["status"] = new JsonObject() }, ["schema"] = new JsonObject { ["openAPIV3Schema"] = Json(Schema) } }),
            ["conversion"] = conversion ?? new JsonObject { ["strategy"] = "None" },
        },
    };

    internal static JsonObject Widget(JsonObject spec, string name = "w1", string version = "v1") => new()
    {
        ["apiVersion"] = "example.com/" + version,
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec,
    };

    internal static HttpClient Client(KubernetesApiDouble api, string? token = null)
    {
        var client = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? api.Token);
        return client;
    }

    internal static async Task<(HttpStatusCode Code, JsonObject Body)> SendAsync(HttpClient client, HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    internal static async Task CreateCrdAsync(HttpClient client, JsonObject crd)
    {
        var (code, body) = await SendAsync(client, HttpMethod.Post, "apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        Assert.True(code == HttpStatusCode.Created, body.ToJsonString());
    }

    private const string Widgets = "apis/example.com/v1/namespaces/default/widgets";

    [Fact]
    public async Task A_stored_crd_is_established_discovered_and_its_resources_served_with_status_and_patches()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        var (missing, _) = await SendAsync(client, HttpMethod.Get, Widgets);
        await CreateCrdAsync(client, Crd());

        var (_, crd) = await SendAsync(client, HttpMethod.Get, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
        var (_, groups) = await SendAsync(client, HttpMethod.Get, "apis");
        var (_, resources) = await SendAsync(client, HttpMethod.Get, "apis/example.com/v1");
        var (created, widget) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}""")).Also(w => w["status"] = Json("""{"ready":true}""")));
        var (_, merged) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1", Json("""{"spec":{"size":3}}"""), "application/merge-patch+json");
        var (_, patched) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1", JsonNode.Parse("""[{"op":"replace","path":"/spec/image","value":"redis"}]"""), "application/json-patch+json");
        var (_, status) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1/status", Json("""{"status":{"ready":true},"spec":{"size":9}}"""), "application/merge-patch+json");
        var (_, applied) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1?fieldManager=test&force=true", Widget(Json("""{"image":"redis","size":4}""")), "application/apply-patch+yaml");
        var (_, list) = await SendAsync(client, HttpMethod.Get, "apis/example.com/v1/widgets");
        var (_, beta) = await SendAsync(client, HttpMethod.Get, "apis/example.com/v1beta1/namespaces/default/widgets/w1");
        var (deleted, _) = await SendAsync(client, HttpMethod.Delete, Widgets + "/w1");
        var (gone, _) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1");

        Assert.Equal(HttpStatusCode.NotFound, missing);
        var conditions = crd["status"]!["conditions"]!.AsArray();
        Assert.Contains(conditions, c => c!["type"]!.ToString() == "Established" && c["status"]!.ToString() == "True");
        Assert.Equal("v1", crd["status"]!["storedVersions"]![0]!.ToString());
        var group = groups["groups"]!.AsArray().Single(g => g!["name"]!.ToString() == "example.com")!;
        Assert.Equal(["example.com/v1", "example.com/v1beta1"], group["versions"]!.AsArray().Select(v => v!["groupVersion"]!.ToString()));
        Assert.Equal("v1", group["preferredVersion"]!["version"]!.ToString());
        var names = resources["resources"]!.AsArray().Select(r => r!["name"]!.ToString()).ToList();
        Assert.Equal(["widgets", "widgets/status"], names);
        Assert.Equal("wd", resources["resources"]![0]!["shortNames"]![0]!.ToString());
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Null(widget["status"]); // the status subresource: a create drops status
        Assert.Equal(3, merged["spec"]!["size"]!.GetValue<int>());
        Assert.Equal("redis", patched["spec"]!["image"]!.ToString());
        Assert.Equal(3, status["spec"]!["size"]!.GetValue<int>()); // /status changes status only
        Assert.True(status["status"]!["ready"]!.GetValue<bool>());
        Assert.Equal(4, applied["spec"]!["size"]!.GetValue<int>());
        Assert.True(applied["status"]!["ready"]!.GetValue<bool>());
        Assert.Equal("WidgetList", list["kind"]!.ToString());
        Assert.Single(list["items"]!.AsArray());
        Assert.Equal("example.com/v1beta1", beta["apiVersion"]!.ToString()); // strategy None: only apiVersion changes
        Assert.Equal(HttpStatusCode.OK, deleted);
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    [Fact]
    public async Task A_status_write_changes_only_status_at_any_served_version_validated_by_the_schema_and_keeps_the_generation()
    {
        // apiextensions-apiserver pkg/registry/customresource/status_strategy.go: PrepareForUpdate copies the old object
        // and sets only the new status (metadata, labels and annotations included, are kept), the generation is not
        // bumped, and ValidateUpdate validates the result against the version's schema.
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd());
        await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}""")));

        var (_, status) = await SendAsync(client, HttpMethod.Patch, "apis/example.com/v1beta1/namespaces/default/widgets/w1/status", Json("""{"metadata":{"labels":{"l":"x"},"annotations":{"a":"y"},"finalizers":["example.com/f"]},"status":{"ready":true}}"""), "application/merge-patch+json");
        var (invalid, invalidStatus) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1/status", Json("""{"status":{"ready":"yes"}}"""), "application/merge-patch+json");
        var (_, stored) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1");

        Assert.Equal("example.com/v1beta1", status["apiVersion"]!.ToString());
        Assert.True(stored["status"]!["ready"]!.GetValue<bool>());
        Assert.Null(stored["metadata"]!["labels"]);
        Assert.Null(stored["metadata"]!["annotations"]);
        Assert.Null(stored["metadata"]!["finalizers"]);
        Assert.Equal(1, stored["metadata"]!["generation"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid);
        Assert.Contains("status.ready", invalidStatus["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crd_without_status_subresource_has_no_status_url_and_deleting_the_crd_deletes_its_resources()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        var crd = Crd();
        foreach (var version in crd["spec"]!["versions"]!.AsArray())
        {
            version!.AsObject().Remove("subresources");
        }

        await CreateCrdAsync(client, crd);
        await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}""")));
        var (statusUrl, _) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1/status");
        var (_, resources) = await SendAsync(client, HttpMethod.Get, "apis/example.com/v1");
        await SendAsync(client, HttpMethod.Delete, "apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
        var (afterCrd, _) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1");
        await CreateCrdAsync(client, Crd());
        var (recreated, list) = await SendAsync(client, HttpMethod.Get, Widgets);

        Assert.Equal(HttpStatusCode.NotFound, statusUrl);
        Assert.Equal(["widgets"], resources["resources"]!.AsArray().Select(r => r!["name"]!.ToString()));
        Assert.Equal(HttpStatusCode.NotFound, afterCrd);
        Assert.Equal(HttpStatusCode.OK, recreated);
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task A_crd_the_server_would_refuse_is_refused()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        var crd = Crd();
        crd["metadata"]!["name"] = "gadgets.example.com";
        crd["spec"]!["versions"]![0]!["storage"] = true;

        var (code, status) = await SendAsync(client, HttpMethod.Post, "apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.StartsWith("CustomResourceDefinition.apiextensions.k8s.io \"gadgets.example.com\" is invalid: [metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group, spec.versions: ",
            status["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_or_refused_when_strict_and_invalid_values_are_422_in_the_server_wording()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd());

        var (_, pruned) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx","bogus":1,"extra":{"kept":true},"services":[{"image":"a","other":2}]}""")));
        var (strict, strictStatus) = await SendAsync(client, HttpMethod.Post, Widgets + "?fieldValidation=Strict", Widget(Json("""{"image":"nginx","bogus":1}"""), "w2"));
        var (wrongType, wrongTypeStatus) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx","services":[{"image":5}]}"""), "w3"));
        var (several, severalStatus) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"size":"big","color":"green","note":null,"port":true,"created":"yesterday","level":"x"}"""), "w4"));
        var (nullable, _) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx","note":null,"port":"http","size":2}"""), "w5"));
        var (patch, patchStatus) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1", Json("""{"spec":{"size":1.5}}"""), "application/merge-patch+json");

        Assert.Null(pruned["spec"]!["bogus"]);
        Assert.True(pruned["spec"]!["extra"]!["kept"]!.GetValue<bool>());
        Assert.Null(pruned["spec"]!["services"]![0]!["other"]);
        Assert.Equal(HttpStatusCode.BadRequest, strict);
        Assert.Equal("Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.bogus\"", strictStatus["message"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongType);
        Assert.Equal("Widget.example.com \"w3\" is invalid: spec.services[0].image: Invalid value: \"integer\": spec.services[0].image in body must be of type string: \"integer\"", wrongTypeStatus["message"]!.ToString());
        Assert.Equal("FieldValueInvalid", wrongTypeStatus["details"]!["causes"]![0]!["reason"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, several);
        var message = severalStatus["message"]!.ToString();
        Assert.Contains("spec.image: Required value", message, StringComparison.Ordinal);
        Assert.Contains("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"", message, StringComparison.Ordinal);
        Assert.Contains("spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\"", message, StringComparison.Ordinal);
        Assert.Contains("spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"", message, StringComparison.Ordinal);
        Assert.Contains("spec.created: Invalid value: \"yesterday\": spec.created in body must be of type date-time: \"yesterday\"", message, StringComparison.Ordinal);
        Assert.Contains("spec.level: Invalid value: \"string\": spec.level in body must be of type integer: \"string\", spec.level: Unsupported value: \"x\": supported values: \"1\", \"2\"", message, StringComparison.Ordinal);
        Assert.DoesNotContain("spec.note", message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, nullable);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, patch); // a patch's result is validated too
        Assert.Contains("spec.size in body must be of type integer: \"number\"", patchStatus["message"]!.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The test conversion webhook: v1 spec.image ↔ v1beta1 spec.picture, marking the annotations.</summary>
    internal static JsonObject ConvertWidgets(JsonObject review)
    {
        var request = review["request"]!;
        var desired = request["desiredAPIVersion"]!.ToString();
        var converted = new JsonArray();
        foreach (var item in request["objects"]!.AsArray())
        {
            var obj = item!.DeepClone().AsObject();
            var spec = obj["spec"]!.AsObject();
            var (from, to) = desired == "example.com/v1beta1" ? ("image", "picture") : ("picture", "image");
            if (spec[from] is { } value)
            {
                spec.Remove(from);
                spec[to] = value.DeepClone();
            }

            obj["apiVersion"] = desired;
            obj["metadata"]!["annotations"] = new JsonObject { ["converted-by"] = "test-webhook" };
            converted.Add(obj);
        }

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "ConversionReview",
            ["response"] = new JsonObject { ["uid"] = request["uid"]!.DeepClone(), ["convertedObjects"] = converted, ["result"] = new JsonObject { ["status"] = "Success" } },
        };
    }

    internal static JsonObject WebhookConversion(string url, string caBundle) => new()
    {
        ["strategy"] = "Webhook",
        ["webhook"] = new JsonObject
        {
            ["conversionReviewVersions"] = new JsonArray("v1"),
            ["clientConfig"] = new JsonObject { ["url"] = url, ["caBundle"] = caBundle },
        },
    };

    [Fact]
    public async Task A_conversion_webhook_converts_writes_to_the_storage_version_and_reads_back_over_verified_https()
    {
        await using var webhook = await TestWebhookServer.StartAsync((_, review) => ConvertWidgets(review), Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd(WebhookConversion(webhook.BaseAddress + "convert", webhook.CaBundle)));
        const string betaWidgets = "apis/example.com/v1beta1/namespaces/default/widgets";

        var (created, answer) = await SendAsync(client, HttpMethod.Post, betaWidgets, Widget(Json("""{"picture":"nginx"}"""), version: "v1beta1"));
        var (_, stored) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1");
        var (_, patched) = await SendAsync(client, HttpMethod.Patch, betaWidgets + "/w1", Json("""{"spec":{"picture":"redis"}}"""), "application/merge-patch+json");
        var (_, list) = await SendAsync(client, HttpMethod.Get, betaWidgets);
        var review = webhook.Received.First().Body;

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("example.com/v1beta1", answer["apiVersion"]!.ToString());
        Assert.Equal("nginx", answer["spec"]!["picture"]!.ToString());
        Assert.Equal("example.com/v1", stored["apiVersion"]!.ToString());
        Assert.Equal("nginx", stored["spec"]!["image"]!.ToString());
        Assert.Equal("test-webhook", stored["metadata"]!["annotations"]!["converted-by"]!.ToString()); // labels and annotations may change
        Assert.Equal("redis", patched["spec"]!["picture"]!.ToString());
        Assert.Equal("redis", list["items"]![0]!["spec"]!["picture"]!.ToString());
        Assert.Equal("example.com/v1beta1", list["apiVersion"]!.ToString());
        Assert.Equal("ConversionReview", review["kind"]!.ToString());
        Assert.Equal("example.com/v1", review["request"]!["desiredAPIVersion"]!.ToString());
        Assert.All(webhook.Received, r => Assert.Equal("/convert", r.Path));
    }

    [Fact]
    public async Task A_conversion_webhook_whose_certificate_the_ca_bundle_does_not_sign_fails_the_request_with_500()
    {
        await using var webhook = await TestWebhookServer.StartAsync((_, review) => ConvertWidgets(review), Ct);
        await using var other = await TestWebhookServer.StartAsync((_, review) => ConvertWidgets(review), Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd(WebhookConversion(webhook.BaseAddress + "convert", other.CaBundle)));

        var (code, status) = await SendAsync(client, HttpMethod.Post, "apis/example.com/v1beta1/namespaces/default/widgets", Widget(Json("""{"picture":"nginx"}"""), version: "v1beta1"));
        var (sameVersion, _) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}"""), "w2"));

        Assert.Equal(HttpStatusCode.InternalServerError, code);
        Assert.Equal("InternalError", status["reason"]!.ToString());
        Assert.StartsWith($"Internal error occurred: conversion webhook for example.com/v1beta1, Kind=Widget failed: Post \"{webhook.BaseAddress}convert\": ", status["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Empty(webhook.Received);
        Assert.Equal(HttpStatusCode.Created, sameVersion); // no conversion needed, no call
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject obj, Action<JsonObject> change)
    {
        change(obj);
        return obj;
    }
}
