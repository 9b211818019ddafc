using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Berth.Testing;
using static Berth.Kubernetes.ApiDouble.Tests.ApiDoubleCustomResourceTests;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>
/// Admission webhooks in the Kubernetes API test double (the documented double, not a cluster), held to
/// k8s.io/apiserver pkg/admission/plugin/webhook: matching rules, mutating webhooks before validating ones with the
/// mutated object, the requesting user after impersonation, failurePolicy, the denial wording, and TLS verified with
/// the caBundle for the URL's host or the Service's name. Here for custom resources (widgets.example.com).
/// </summary>
public sealed class ApiDoubleAdmissionWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Widgets = "apis/example.com/v1/namespaces/default/widgets";

    private static JsonObject Hook(string name, JsonObject clientConfig, string[] operations, string failurePolicy = "Fail", string resource = "widgets", JsonObject? objectSelector = null)
    {
        var hook = new JsonObject
        {
            ["name"] = name,
            ["clientConfig"] = clientConfig,
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray(operations.Select(o => (JsonNode)o).ToArray()),
                ["apiGroups"] = new JsonArray("example.com"),
                ["apiVersions"] = new JsonArray("v1"),
                ["resources"] = new JsonArray(resource),
            }),
            ["failurePolicy"] = failurePolicy,
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["timeoutSeconds"] = 5,
        };
        if (objectSelector is not null)
        {
            hook["objectSelector"] = objectSelector;
        }

        return hook;
    }

    private static JsonObject Url(TestWebhookServer server, string path) => new() { ["url"] = server.BaseAddress + path, ["caBundle"] = server.CaBundle };

    private static async Task ConfigureAsync(HttpClient client, string kind, string name, params JsonObject[] hooks)
    {
        var plural = kind.ToLowerInvariant() + "s";
        var configuration = new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["webhooks"] = new JsonArray(hooks.Select(h => (JsonNode)h).ToArray()),
        };
        var (code, body) = await SendAsync(client, HttpMethod.Post, $"apis/admissionregistration.k8s.io/v1/{plural}", configuration);
        Assert.True(code == HttpStatusCode.Created, body.ToJsonString());
    }

    /// <summary>Mutating: records the user as an annotation. Validating (/validate): refuses spec.size over 10; any: deletes of "keep".</summary>
    private static JsonObject Answer(string path, JsonObject review)
    {
        var request = review["request"]!;
        if (path == "/mutate")
        {
            var user = request["userInfo"]!["username"]!.ToString();
            var patch = new JsonArray(
                new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { ["example.com/owner"] = user } });
            return TestWebhookServer.Admission(review, allowed: true, patch: request["operation"]!.ToString() == "DELETE" ? null : patch);
        }

        var tooBig = path == "/validate" && request["object"]?["spec"]?["size"]?.GetValue<int>() > 10;
        var keep = request["operation"]!.ToString() == "DELETE" && request["name"]!.ToString() == "keep";
        return tooBig ? TestWebhookServer.Admission(review, allowed: false, message: "spec.size: at most 10")
            : keep ? TestWebhookServer.Admission(review, allowed: false, message: "this one stays", code: 403)
            : TestWebhookServer.Admission(review, allowed: true);
    }

    [Fact]
    public async Task Mutating_webhooks_run_before_validating_ones_with_the_impersonated_user_and_a_denial_reads_as_the_server_words_it()
    {
        await using var webhook = await TestWebhookServer.StartAsync(Answer, Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        api.Aggregation.AddUser("bob-token", "bob");
        api.Aggregation.Allow(new RbacRule("bob", ["impersonate"], "", ["users", "groups"]));
        api.Aggregation.Allow(new RbacRule("alice", ["*"], "example.com", ["widgets"]));
        await CreateCrdAsync(client, Crd());
        await ConfigureAsync(client, "MutatingWebhookConfiguration", "owner", Hook("owner.example.com", Url(webhook, "mutate"), ["CREATE", "UPDATE"]));
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "limits", Hook("limits.example.com", Url(webhook, "validate"), ["CREATE", "UPDATE", "DELETE"]));
        using var bob = Client(api, "bob-token");
        bob.DefaultRequestHeaders.Add("Impersonate-User", "alice");
        bob.DefaultRequestHeaders.Add("Impersonate-Group", "dev");

        var (created, widget) = await SendAsync(bob, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx","size":2}""")));
        var reviews = webhook.Received.ToList();
        var (tooBig, tooBigStatus) = await SendAsync(bob, HttpMethod.Patch, Widgets + "/w1", Json("""{"spec":{"size":11}}"""), "application/merge-patch+json");
        await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}"""), "keep"));
        var (kept, keptStatus) = await SendAsync(client, HttpMethod.Delete, Widgets + "/keep");
        var (deleted, _) = await SendAsync(client, HttpMethod.Delete, Widgets + "/w1");

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("alice", widget["metadata"]!["annotations"]!["example.com/owner"]!.ToString());
        Assert.Equal(["/mutate", "/validate"], reviews.Select(r => r.Path));
        var request = reviews[0].Body["request"]!;
        Assert.Equal("CREATE", request["operation"]!.ToString());
        Assert.Equal("alice", request["userInfo"]!["username"]!.ToString());
        Assert.Equal(["dev", "system:authenticated"], request["userInfo"]!["groups"]!.AsArray().Select(g => g!.ToString()));
        Assert.Equal("v1", request["kind"]!["version"]!.ToString());
        Assert.Equal("widgets", request["resource"]!["resource"]!.ToString());
        Assert.Equal("default", request["namespace"]!.ToString());
        Assert.Equal("CreateOptions", request["options"]!["kind"]!.ToString());
        Assert.False(request["dryRun"]!.GetValue<bool>());
        Assert.Null(request["oldObject"]);
        Assert.Equal("alice", reviews[1].Body["request"]!["object"]!["metadata"]!["annotations"]!["example.com/owner"]!.ToString()); // validating sees the mutated object
        Assert.Equal(HttpStatusCode.BadRequest, tooBig);
        Assert.Equal("admission webhook \"limits.example.com\" denied the request: spec.size: at most 10", tooBigStatus["message"]!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, kept);
        Assert.Equal("admission webhook \"limits.example.com\" denied the request: this one stays", keptStatus["message"]!.ToString());
        Assert.Equal(HttpStatusCode.OK, deleted);
        var delete = webhook.Received.Last().Body["request"]!;
        Assert.Equal("DELETE", delete["operation"]!.ToString());
        Assert.Equal("w1", delete["oldObject"]!["metadata"]!["name"]!.ToString());
        Assert.Equal("DeleteOptions", delete["options"]!["kind"]!.ToString());
    }

    [Fact]
    public async Task A_validating_webhooks_warnings_reach_the_client_as_warning_headers()
    {
        await using var webhook = await TestWebhookServer.StartAsync((_, review) =>
        {
            var answer = TestWebhookServer.Admission(review, allowed: true);
            answer["response"]!["warnings"] = new JsonArray("size is \"large\"", "second");
            return answer;
        }, Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd());
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "warn", Hook("warn.example.com", Url(webhook, "validate"), ["CREATE"]));

        using var response = await client.PostAsync(Widgets, new StringContent(Widget(Json("""{"image":"nginx","size":2}""")).ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["299 - \"size is \\\"large\\\"\"", "299 - \"second\""], response.Headers.GetValues("Warning"));
    }

    [Fact]
    public async Task Rules_select_operations_subresources_and_labels()
    {
        await using var webhook = await TestWebhookServer.StartAsync(Answer, Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd());
        var selected = new JsonObject { ["matchLabels"] = new JsonObject { ["checked"] = "yes" } };
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "limits", Hook("limits.example.com", Url(webhook, "validate"), ["UPDATE"], objectSelector: selected));
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "status", Hook("status.example.com", Url(webhook, "status"), ["UPDATE"], resource: "widgets/status"));

        var (unlabelled, _) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx","size":20}""")));
        var afterCreate = webhook.Received.Count;
        var (unselected, _) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1", Json("""{"spec":{"size":30}}"""), "application/merge-patch+json");
        var (selectedUpdate, _) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1", Json("""{"metadata":{"labels":{"checked":"yes"}},"spec":{"size":31}}"""), "application/merge-patch+json");
        var beforeStatus = webhook.Received.Count;
        var (status, _) = await SendAsync(client, HttpMethod.Patch, Widgets + "/w1/status", Json("""{"status":{"ready":true}}"""), "application/merge-patch+json");

        Assert.Equal(HttpStatusCode.Created, unlabelled); // CREATE is not in the rule
        Assert.Equal(0, afterCreate);
        Assert.Equal(HttpStatusCode.OK, unselected); // the object selector leaves it out
        Assert.Equal(HttpStatusCode.BadRequest, selectedUpdate);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/status", webhook.Received.Skip(beforeStatus).Single().Path); // widgets/status only
        Assert.Equal("status", webhook.Received.Last().Body["request"]!["subResource"]!.ToString());
    }

    [Fact]
    public async Task A_body_at_another_version_is_admitted_and_validated_at_that_version_then_converted()
    {
        await using var webhook = await TestWebhookServer.StartAsync((path, review) => path == "/convert" ? ConvertWidgets(review) : Answer(path, review), Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd(WebhookConversion(webhook.BaseAddress + "convert", webhook.CaBundle)));
        var hook = Hook("limits.example.com", Url(webhook, "validate"), ["CREATE"]);
        hook["rules"]![0]!["apiVersions"] = new JsonArray("*");
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "limits", hook);
        const string betaWidgets = "apis/example.com/v1beta1/namespaces/default/widgets";

        var (created, _) = await SendAsync(client, HttpMethod.Post, betaWidgets, Widget(Json("""{"picture":"nginx"}"""), version: "v1beta1"));
        var admitted = webhook.Received.Single(r => r.Path == "/validate").Body["request"]!;
        var (invalid, invalidStatus) = await SendAsync(client, HttpMethod.Post, betaWidgets, Widget(Json("""{"picture":5}"""), "w2", version: "v1beta1"));
        var (_, stored) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1");

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal("v1beta1", admitted["kind"]!["version"]!.ToString());
        Assert.Equal("nginx", admitted["object"]!["spec"]!["picture"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid); // the v1beta1 schema, before any conversion
        Assert.Equal("Widget.example.com \"w2\" is invalid: spec.picture: Invalid value: \"integer\": spec.picture in body must be of type string: \"integer\"", invalidStatus["message"]!.ToString());
        Assert.Equal("nginx", stored["spec"]!["image"]!.ToString());
    }

    [Fact]
    public async Task A_patch_at_another_version_is_admitted_at_that_version_then_converted()
    {
        // kube-apiserver's patcher applies the patch to the object at the request's version and admits that result
        // (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go), so a webhook sees the version the client wrote.
        await using var webhook = await TestWebhookServer.StartAsync((path, review) => path == "/convert" ? ConvertWidgets(review) : Answer(path, review), Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd(WebhookConversion(webhook.BaseAddress + "convert", webhook.CaBundle)));
        var hook = Hook("limits.example.com", Url(webhook, "validate"), ["UPDATE"]);
        hook["rules"]![0]!["apiVersions"] = new JsonArray("*");
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "limits", hook);
        const string betaWidget = "apis/example.com/v1beta1/namespaces/default/widgets/w1";
        var (created, _) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}""")));

        var (patched, _) = await SendAsync(client, HttpMethod.Patch, betaWidget, Json("""{"spec":{"picture":"httpd"}}"""), "application/merge-patch+json");
        var admitted = webhook.Received.Single(r => r.Path == "/validate").Body["request"]!;
        var (invalid, invalidStatus) = await SendAsync(client, HttpMethod.Patch, betaWidget, Json("""{"spec":{"picture":5}}"""), "application/merge-patch+json");
        var (_, stored) = await SendAsync(client, HttpMethod.Get, Widgets + "/w1");

        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal(("v1beta1", "v1beta1"), (admitted["kind"]!["version"]!.ToString(), admitted["requestKind"]!["version"]!.ToString()));
        Assert.Equal(("httpd", "nginx"), (admitted["object"]!["spec"]!["picture"]!.ToString(), admitted["oldObject"]!["spec"]!["picture"]!.ToString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid); // the v1beta1 schema, before any conversion
        Assert.Equal("Widget.example.com \"w1\" is invalid: spec.picture: Invalid value: \"integer\": spec.picture in body must be of type string: \"integer\"", invalidStatus["message"]!.ToString());
        Assert.Equal("httpd", stored["spec"]!["image"]!.ToString());
    }

    [Fact]
    public async Task A_failed_call_fails_the_request_unless_the_failure_policy_is_ignore_and_tls_is_checked_against_the_ca_bundle()
    {
        await using var webhook = await TestWebhookServer.StartAsync(Answer, Ct);
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = Client(api);
        await CreateCrdAsync(client, Crd());
        var closed = FreePort.Loopback();
        var unreachable = new JsonObject { ["url"] = $"https://127.0.0.1:{closed}/validate", ["caBundle"] = webhook.CaBundle };
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "a-ignored", Hook("ignored.example.com", unreachable, ["CREATE"], failurePolicy: "Ignore"));
        var (ignored, _) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}"""), "w1"));

        // A Service reference is dialled at the registered URL but verified for <name>.<namespace>.svc, which this certificate lacks.
        api.SetWebhookService("hooks", "limits", 443, webhook.BaseAddress);
        var service = new JsonObject { ["service"] = new JsonObject { ["namespace"] = "hooks", ["name"] = "limits", ["path"] = "/validate" }, ["caBundle"] = webhook.CaBundle };
        await ConfigureAsync(client, "ValidatingWebhookConfiguration", "b-service", Hook("service.example.com", service, ["CREATE"]));
        var (wrongName, wrongNameStatus) = await SendAsync(client, HttpMethod.Post, Widgets, Widget(Json("""{"image":"nginx"}"""), "w2"));
        var (notStored, _) = await SendAsync(client, HttpMethod.Get, Widgets + "/w2");

        Assert.Equal(HttpStatusCode.Created, ignored);
        Assert.Equal(HttpStatusCode.InternalServerError, wrongName);
        Assert.StartsWith("Internal error occurred: failed calling webhook \"service.example.com\": failed to call webhook: Post \"https://limits.hooks.svc:443/validate\": ",
            wrongNameStatus["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Empty(webhook.Received);
        Assert.Equal(HttpStatusCode.NotFound, notStored);
    }
}
