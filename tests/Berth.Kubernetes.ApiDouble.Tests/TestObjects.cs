using System.Net;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>Objects and helpers shared by the conformance tests of the Kubernetes API test double.</summary>
internal static class TestObjects
{
    public static string Deployment(string name, int replicas = 1, string image = "nginx:1.27", string ns = "default", string service = "web") => $$"""
        {
          "apiVersion": "apps/v1",
          "kind": "Deployment",
          "metadata": { "name": "{{name}}", "namespace": "{{ns}}", "labels": { "com.docker.stack.namespace": "shop", "com.docker.service.name": "{{service}}" } },
          "spec": {
            "replicas": {{replicas}},
            "selector": { "matchLabels": { "com.docker.service.name": "{{service}}" } },
            "template": {
              "metadata": { "labels": { "com.docker.stack.namespace": "shop", "com.docker.service.name": "{{service}}" } },
              "spec": { "containers": [ { "name": "{{service}}", "image": "{{image}}" } ] }
            }
          }
        }
        """;

    public static string ConfigMap(string name, string ns = "default", string labels = "{}", string data = """{"k":"v"}""") => $$"""
        { "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "{{name}}", "namespace": "{{ns}}", "labels": {{labels}} }, "data": {{data}} }
        """;

    /// <summary>Runs a call the test double must refuse; returns the HTTP status and the Status body.</summary>
    public static async Task<(HttpStatusCode Code, JsonObject Status)> Refused(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<HttpOperationException>(call);
        var body = JsonNode.Parse(refused.Response.Content)!.AsObject();
        return (refused.Response.StatusCode, body);
    }

    public static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();
}
