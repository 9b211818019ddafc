using System.Net;
using k8s;
using k8s.Models;
using static Berth.Kubernetes.ApiDouble.Tests.TestObjects;

namespace Berth.Kubernetes.ApiDouble.Tests;

/// <summary>The API server validation the Kubernetes API test double reproduces, so Berth bugs show up in tests.</summary>
public sealed class ApiDoubleValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<V1Deployment> ApplyAsync(IKubernetes client, string json) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(json, V1Patch.PatchType.ApplyPatch), "web", "default", fieldManager: "berth", force: true, cancellationToken: Ct);

    private static string Job(string image, string restartPolicy = "\"Never\"") =>
        "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"migrate\"},\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":"
        + restartPolicy + ",\"containers\":[{\"name\":\"m\",\"image\":\"" + image + "\"}]}}}}";

    [Fact]
    public async Task Workload_selector_must_match_the_template_labels_and_never_change()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var mismatched = Deployment("web").Replace("\"selector\": { \"matchLabels\": { \"com.docker.service.name\": \"web\" } }",
            "\"selector\": { \"matchLabels\": { \"com.docker.service.name\": \"other\" } }", StringComparison.Ordinal);
        var (code, status) = await Refused(() => ApplyAsync(client, mismatched));
        await ApplyAsync(client, Deployment("web"));

        var changed = Deployment("web").Replace("\"selector\": { \"matchLabels\": { \"com.docker.service.name\": \"web\" } }",
            "\"selector\": { \"matchLabels\": { \"com.docker.stack.namespace\": \"shop\" } }", StringComparison.Ordinal);
        var (changedCode, changedStatus) = await Refused(() => ApplyAsync(client, changed));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains("`selector` does not match template `labels`", status["message"]!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: ", status["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, changedCode);
        Assert.EndsWith("field is immutable", changedStatus["message"]!.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("Deployment.apps \"web\" is invalid: spec.selector: ", changedStatus["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Job_pods_need_a_restart_policy_and_the_template_is_immutable()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        var (noPolicy, noPolicyStatus) = await Refused(() => client.BatchV1.PatchNamespacedJobAsync(
            new V1Patch(Job("app:1", "null"), V1Patch.PatchType.ApplyPatch), "migrate", "default", fieldManager: "berth", cancellationToken: Ct));
        await client.BatchV1.PatchNamespacedJobAsync(new V1Patch(Job("app:1"), V1Patch.PatchType.ApplyPatch), "migrate", "default", fieldManager: "berth", cancellationToken: Ct);

        var (changed, changedStatus) = await Refused(() => client.BatchV1.PatchNamespacedJobAsync(
            new V1Patch(Job("app:2"), V1Patch.PatchType.ApplyPatch), "migrate", "default", fieldManager: "berth", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, noPolicy);
        Assert.Contains("spec.template.spec.restartPolicy: Required value", noPolicyStatus["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, changed);
        Assert.Equal("Job.batch \"migrate\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable", changedStatus["message"]!.ToString());
        Assert.Equal("app:1", api.Get("jobs.batch", "default", "migrate")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
    }

    [Fact]
    public async Task Services_need_ports_and_containers_need_an_image()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();

        var (service, serviceStatus) = await Refused(() => client.CoreV1.PatchNamespacedServiceAsync(new V1Patch(
            """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"a":"b"}}}""", V1Patch.PatchType.ApplyPatch),
            "web", "default", fieldManager: "berth", cancellationToken: Ct));
        var (image, imageStatus) = await Refused(() => ApplyAsync(client, Deployment("web", image: "")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, service);
        Assert.Equal("Service \"web\" is invalid: spec.ports: Required value", serviceStatus["message"]!.ToString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, image);
        Assert.Equal("Deployment.apps \"web\" is invalid: spec.template.spec.containers[0].image: Required value", imageStatus["message"]!.ToString());
    }

    [Fact]
    public async Task Seed_stores_what_it_is_given_without_spec_validation()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);

        var seeded = api.Seed("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"stray"},"spec":{"replicas":1}}""");

        Assert.Equal("stray", seeded["metadata"]!["name"]!.ToString());
    }
}
