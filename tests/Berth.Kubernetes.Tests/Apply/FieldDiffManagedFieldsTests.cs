using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>
/// FieldDiff's removal detection on managedFields the Kubernetes API test double wrote (k:{"name":…} items, as a
/// real server writes them), not hand-written ones.
/// </summary>
public sealed class FieldDiffManagedFieldsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Deployment(string containers) => JsonNode.Parse($$"""
        { "apiVersion": "apps/v1", "kind": "Deployment", "metadata": { "name": "web", "namespace": "default" },
          "spec": { "selector": { "matchLabels": { "app": "web" } },
                    "template": { "metadata": { "labels": { "app": "web" } }, "spec": { "containers": {{containers}} } } } }
        """)!.AsObject();

    private static Task<V1Deployment> ApplyAsync(IKubernetes client, JsonObject body, string manager, bool force = false) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(body.ToJsonString(), V1Patch.PatchType.ApplyPatch), "web", "default",
            fieldManager: manager, force: force, cancellationToken: Ct);

    [Fact]
    public async Task An_env_var_and_a_container_Berth_no_longer_sends_are_reported_and_another_managers_container_is_not()
    {
        await using var api = await KubernetesApiDouble.StartAsync(Ct);
        using var client = api.CreateClient();
        await ApplyAsync(client, Deployment("""
            [ { "name": "web", "image": "nginx:1", "env": [ { "name": "OLD", "value": "x" }, { "name": "KEEP", "value": "y" } ] },
              { "name": "old-sidecar", "image": "busybox:1" } ]
            """), "berth");
        await ApplyAsync(client, Deployment("""[ { "name": "proxy", "image": "envoy:1" } ]"""), "injector");
        var live = api.Get("deployments.apps", "default", "web")!;
        var desired = Deployment("""[ { "name": "web", "image": "nginx:1", "env": [ { "name": "KEEP", "value": "y" } ] } ]""");

        var fields = FieldDiff.Changed(desired, live, "berth");
        var applied = await ApplyAsync(client, desired, "berth", force: true);

        Assert.Contains("spec.template.spec.containers[web].env[OLD].name", fields);
        Assert.Contains("spec.template.spec.containers[old-sidecar].image", fields);
        Assert.DoesNotContain(fields, f => f.Contains("proxy", StringComparison.Ordinal) || f.Contains("KEEP", StringComparison.Ordinal));
        Assert.Equal(["web", "proxy"], applied.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal(["KEEP"], applied.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name));
    }
}
