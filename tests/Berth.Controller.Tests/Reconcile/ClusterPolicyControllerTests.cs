using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Testing;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>
/// berth-controller under the cluster deploy policy (ConfigMap berth-system/berth-policy), with berth-apiserver
/// (in-process, real etcd) behind the Kubernetes API test double as kube-apiserver's aggregation layer
/// (<see cref="FrontFixture"/>; the documented double, not a cluster). Each stack is stored before the policy is
/// written (the Stack API would refuse it otherwise), which is the case the controller guards: objects from before
/// the policy, and policy changes. The double's request log shows what was written.
/// </summary>
public sealed class ClusterPolicyControllerTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private const string Privileged = """
        services:
          web:
            image: nginx:1.25
            privileged: true
        """;

    private readonly ControllerSteps _steps = new(front, simulatedPods: false);

    private void Namespace(string ns)
    {
        if (front.Kubectl(null, "get", "namespace", ns).ExitCode != 0)
        {
            front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        }
    }

    private void SetPolicy(string policy, string? mode = null)
    {
        Namespace("berth-system");
        var data = new JsonObject { ["policy.yaml"] = policy };
        if (mode is not null)
        {
            data["mode"] = mode;
        }

        var configMap = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "berth-policy", ["namespace"] = "berth-system" },
            ["data"] = data,
        };
        var applied = front.Kubectl(null, "apply", "--validate=false", "-f", front.Folder.Write($"policy-{Guid.NewGuid():N}.json", configMap.ToJsonString()));
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    private void RemovePolicy()
        => Assert.Equal(0, front.Kubectl(null, "delete", "configmap", "berth-policy", "-n", "berth-system", "--ignore-not-found").ExitCode);

    private async Task<string> StoredBeforeThePolicyAsync(string ns)
    {
        RemovePolicy();
        var token = _steps.NamespaceWithOwner(ns);
        await _steps.CreateStackAsync(token, ns, "shop", Privileged);
        return token;
    }

    private void AssertNothingWrittenIn(string ns)
        // The stack's own writes (finalizer, status) and the controller's Events aside.
        => Assert.DoesNotContain(front.Api.Requests, r => r.IsWrite && r.Namespace == ns && r.Resource is not null and not "events" && !r.Resource.StartsWith("stacks", StringComparison.Ordinal));

    [Fact]
    public async Task AStackStoredBeforeAnEnforcedPolicy_GetsPolicyDenied_WithTheViolations_AnEvent_AndNothingWritten()
    {
        const string ns = "ctl-policy-denied";
        await StoredBeforeThePolicyAsync(ns);
        SetPolicy("restricted");

        JsonObject status;
        await using (_steps.StartController(ns))
        {
            status = await _steps.WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Failure", "a Failure status");
        }

        var message = status["message"]!.ToString();
        Assert.StartsWith("policy restricted (configmap berth-system/berth-policy) denies the stack (", message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", message, StringComparison.Ordinal);
        Assert.Contains("services.web.privileged: spec.composeFile:4:5: BP201: ", message, StringComparison.Ordinal);
        Assert.Equal("PolicyDenied", status["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Failed")!["reason"]!.ToString());
        // The Event is recorded before the status is written.
        var denied = (await _steps.EventsAsync(ns, "shop")).First(e => e["reason"]?.ToString() == "PolicyDenied");
        Assert.Equal("Warning", denied["type"]!.ToString());
        Assert.Contains("BP201", denied["message"]!.ToString(), StringComparison.Ordinal);
        AssertNothingWrittenIn(ns);
    }

    [Fact]
    public async Task WithoutAClusterPolicy_TheNamespacesEnforcedPodSecurityLevel_DeniesTheStack_AndNothingIsWritten()
    {
        const string ns = "ctl-policy-pss";
        await StoredBeforeThePolicyAsync(ns);
        var labelled = front.Kubectl(null, "label", "namespace", ns, "pod-security.kubernetes.io/enforce=baseline");
        Assert.True(labelled.ExitCode == 0, labelled.ToString());

        JsonObject status;
        await using (_steps.StartController(ns))
        {
            status = await _steps.WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Failure", "a Failure status");
        }

        var message = status["message"]!.ToString();
        Assert.Contains("pod-security.kubernetes.io/enforce=baseline", message, StringComparison.Ordinal);
        Assert.Contains("services.web.privileged: spec.composeFile:4:5: BP201: ", message, StringComparison.Ordinal);
        Assert.Equal("PolicyDenied", status["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Failed")!["reason"]!.ToString());
        AssertNothingWrittenIn(ns);
    }

    [Fact]
    public async Task AnInvalidPolicy_FailsClosed_AsPolicyUnavailable_NamingTheConfigMap()
    {
        const string ns = "ctl-policy-invalid";
        await StoredBeforeThePolicyAsync(ns);
        SetPolicy("version: 1\nrules:\n  allowPrivileged: maybe");

        JsonObject status;
        await using (_steps.StartController(ns))
        {
            status = await _steps.WaitForStatusAsync(ns, "shop", s => s["phase"]?.ToString() == "Failure", "a Failure status");
        }

        Assert.StartsWith("the cluster deploy policy cannot be used: configmap berth-system/berth-policy key policy.yaml:3:", status["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("PolicyUnavailable", status["conditions"]!.AsArray().Single(c => c!["type"]!.ToString() == "Failed")!["reason"]!.ToString());
        AssertNothingWrittenIn(ns);
    }

    [Fact]
    public async Task UnderAPolicyInWarnMode_TheStackIsDeployed()
    {
        const string ns = "ctl-policy-warn";
        await StoredBeforeThePolicyAsync(ns);
        SetPolicy("restricted", mode: "warn");

        await using (_steps.StartController(ns))
        {
            await Poll.UntilAsync(() => front.Api.Requests.Any(r => r is { Method: "PATCH", Path: $"/apis/apps/v1/namespaces/{ns}/deployments/web" } && r.StatusCode < 300), "the web Deployment applied", TestContext.Current.CancellationToken, TimeSpan.FromSeconds(60));
        }
    }
}
