using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;

namespace Berth.Controller.Tests;

/// <summary>
/// berth-apiserver's <c>stacks/scale</c> subresource flowing through berth-controller to the workload and back into
/// the scale's status: berth-apiserver (in-process, real etcd) behind the Kubernetes API test double acting as
/// kube-apiserver (<see cref="FrontFixture"/>) — the documented double, not a cluster — whose simulated controllers
/// make the pods.
/// </summary>
public sealed class ScaleTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private readonly ControllerSteps _steps = new(front);

    private const string Shop = """
        services:
          web:
            image: nginx:1.25
          worker:
            image: busybox:1.36
            command: ["sleep", "3600"]
            deploy:
              replicas: 2
        """;

    [Fact]
    public async Task ScalingAServiceThroughTheScaleSubresource_SetsItsDeploymentsReplicas_AndTheScaleStatusFollowsTheReadyPods()
    {
        const string ns = "scale-web";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "shop", Shop);
        await using var controller = _steps.StartController(ns);
        await _steps.WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Available", "the stack to be Available");
        var scalePath = ControllerSteps.StackPath(ns, "shop", "v1beta2") + "/scale";

        var before = await _steps.SendAsync(token, HttpMethod.Get, scalePath);
        Assert.Equal("""{"web":1,"worker":2}""", before["spec"]!.ToJsonString());
        Assert.Equal("""{"web":1,"worker":2}""", before["status"]!.ToJsonString());

        var scale = new JsonObject
        {
            ["apiVersion"] = "compose.docker.com/v1beta2",
            ["kind"] = "Scale",
            ["metadata"] = new JsonObject { ["name"] = "shop", ["namespace"] = ns },
            ["spec"] = new JsonObject { ["web"] = 3 },
        };
        var answer = await _steps.SendAsync(token, HttpMethod.Put, scalePath, scale);
        Assert.Equal("""{"web":3,"worker":2}""", answer["spec"]!.ToJsonString());

        // The controller applies the new count to the Deployment; the double's simulated controllers start the pods.
        await _steps.WaitForAsync($"apis/apps/v1/namespaces/{ns}/deployments/web", d => d["spec"]?["replicas"]?.GetValue<int>() == 3, "the Deployment to want 3 replicas");
        var selector = Uri.EscapeDataString("com.docker.service.name=web");
        var pods = await _steps.WaitForAsync($"api/v1/namespaces/{ns}/pods?labelSelector={selector}", l => (l["items"] as JsonArray)?.Count == 3, "three web pods");
        Assert.All((JsonArray)pods["items"]!, p => Assert.Equal("Running", p!["status"]!["phase"]!.ToString()));

        var after = await _steps.WaitForAsync(scalePath, s => s["status"]?["web"]?.GetValue<int>() == 3, "the scale's status to say 3 ready");
        Assert.Equal("""{"web":3,"worker":2}""", after["status"]!.ToJsonString());
        var status = await _steps.WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Available", "Available again");
        Assert.Equal("""{"kind":"Deployment","desired":3,"updated":3,"ready":3,"available":3}""", status["services"]!["web"]!.ToJsonString());
        Assert.Equal(2, status["observedGeneration"]!.GetValue<long>());
    }

    [Fact]
    public async Task TheScaleStatus_IsEmpty_UntilTheControllerHasReportedTheServices()
    {
        const string ns = "scale-unreported";
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "idle", Shop);

        // No controller runs: nothing has observed the stack, so nothing is claimed ready.
        var scale = await _steps.SendAsync(token, HttpMethod.Get, ControllerSteps.StackPath(ns, "idle", "v1alpha3") + "/scale");
        Assert.Equal("""{"web":1,"worker":2}""", scale["spec"]!.ToJsonString());
        Assert.Equal("{}", scale["status"]!.ToJsonString());
    }
}
