using Berth.StackApi.Storage;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// The cluster deploy policy (ConfigMap berth-system/berth-policy) at the aggregated Stack API's admission, through
/// real kubectl and the real docker CLI 20.10, the Kubernetes API test double as kube-apiserver's aggregation front
/// (the documented double, not a cluster; the ConfigMap is written to it with kubectl) and a real berth-apiserver on a
/// real etcd, which reads the ConfigMap from the double with its own credentials at every admission (TTL zero here).
/// </summary>
public sealed class ClusterPolicyAdmissionTests(FrontFixture front) : IClassFixture<FrontFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string PolicyPath = "/api/v1/namespaces/berth-system/configmaps/berth-policy";

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
        var data = $"  policy.yaml: |\n{string.Concat(policy.Split('\n').Select(l => "    " + l + "\n"))}" + (mode is null ? string.Empty : $"  mode: {mode}\n");
        var file = front.Folder.Write($"policy-{Guid.NewGuid():N}.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: berth-policy\n  namespace: berth-system\ndata:\n{data}");
        var applied = front.Kubectl(null, "apply", "--validate=false", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.ToString());
    }

    private void RemovePolicy()
        => Assert.Equal(0, front.Kubectl(null, "delete", "configmap", "berth-policy", "-n", "berth-system", "--ignore-not-found").ExitCode);

    // v1beta1 with the Compose text itself: the violations' lines are the text's own.
    private string ComposeStack(string ns, string name, string service) => front.Folder.Write($"{ns}-{name}-{Guid.NewGuid():N}.yaml", $"""
        apiVersion: compose.docker.com/v1beta1
        kind: Stack
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          composeFile: |
            services:
              web:
                image: nginx:1.27
        {string.Concat(service.Split('\n').Select(l => "        " + l + "\n"))}
        """);

    private async Task<bool> StoredAsync(string ns, string name)
    {
        try
        {
            await front.Store.GetAsync(ns, name, Ct);
            return true;
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.NotFound)
        {
            return false;
        }
    }

    [Fact]
    public async Task KubectlCreate_OfAStackViolatingRestricted_IsRefusedWith422AndTheLines_AndNothingIsStored()
    {
        Namespace("pol-enforce");
        SetPolicy("restricted");

        var refused = front.Kubectl(null, "create", "-f", ComposeStack("pol-enforce", "shop", "privileged: true"));

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("The Stack \"shop\" is invalid", refused.Stderr, StringComparison.Ordinal);
        // One cause per violation: the Compose path, then file:line:column, the rule code, the message and the hint.
        Assert.Contains("services.web.privileged: spec.composeFile:4:5: BP201: ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("(hint: ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("spec.composeFile:2:3: BP212: ", refused.Stderr, StringComparison.Ordinal);
        Assert.False(await StoredAsync("pol-enforce", "shop"));
        Assert.Contains(front.Api.Requests, r => r is { Method: "POST", Resource: "stacks.compose.docker.com", StatusCode: 422, Namespace: "pol-enforce" });
        Assert.Contains(front.Api.Requests, r => r is { Method: "GET", Path: PolicyPath, StatusCode: 200 });
    }

    [Fact]
    public async Task AnUpdateAddingAViolation_IsRefused_WhileALabelOnAStackFromBeforeThePolicy_IsNot()
    {
        Namespace("pol-update");
        RemovePolicy();
        var before = front.Kubectl(null, "create", "-f", ComposeStack("pol-update", "old", "privileged: true"));
        Assert.True(before.ExitCode == 0, before.ToString());
        var clean = front.Kubectl(null, "create", "-f", ComposeStack("pol-update", "shop", "user: \"1000\""));
        Assert.True(clean.ExitCode == 0, clean.ToString());
        SetPolicy("version: 1\nrules:\n  allowPrivileged: false");

        var grown = front.Kubectl(null, "apply", "-f", ComposeStack("pol-update", "shop", "user: \"1000\"\nprivileged: true"));
        var labelled = front.Kubectl(null, "label", "stacks.v1beta1.compose.docker.com", "old", "-n", "pol-update", "tier=front");

        Assert.NotEqual(0, grown.ExitCode);
        Assert.Contains("services.web.privileged: spec.composeFile:5:5: BP201: ", grown.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("privileged", (await front.Store.GetAsync("pol-update", "shop", Ct)).ToJsonString(), StringComparison.Ordinal);
        Assert.True(labelled.ExitCode == 0, labelled.ToString());
    }

    [Fact]
    public async Task DockerStackDeploy_OnKubernetes_GetsTheRefusal()
    {
        Namespace("pol-docker");
        SetPolicy("restricted");
        var compose = front.Folder.Write("privileged-compose.yaml", """
            version: "3.8"
            services:
              web:
                image: nginx:1.25-alpine
                privileged: true
            """);

        var deployed = front.DockerCli(TimeSpan.FromSeconds(120), "stack", "deploy", "-c", compose, "--orchestrator=kubernetes", "--namespace", "pol-docker", "demo");

        Assert.NotEqual(0, deployed.ExitCode);
        // The CLI sends v1alpha3's structure; the line is the one of the Compose text written from it (composeFile subresource).
        Assert.Matches(@"services\.web\.privileged: spec\.composeFile:\d+:\d+: BP201: ", deployed.Stderr);
        Assert.False(await StoredAsync("pol-docker", "demo"));
    }

    [Fact]
    public async Task InWarnMode_TheStackIsCreated_AndKubectlPrintsEachViolationAsAWarning()
    {
        Namespace("pol-warn");
        SetPolicy("restricted", mode: "warn");

        var created = front.Kubectl(null, "create", "-f", ComposeStack("pol-warn", "shop", "privileged: true"));

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("Warning: stack shop, policy restricted (configmap berth-system/berth-policy): services.web.privileged: spec.composeFile:4:5: BP201: ", created.Stderr, StringComparison.Ordinal);
        Assert.Contains("BP212", created.Stderr, StringComparison.Ordinal);
        Assert.True(await StoredAsync("pol-warn", "shop"));
    }

    [Fact]
    public async Task AnInvalidPolicy_RefusesEveryCreate_NamingTheConfigMapAndTheLine()
    {
        Namespace("pol-broken");
        SetPolicy("version: 1\nrules:\n  allowPrivileged: maybe");

        var refused = front.Kubectl(null, "create", "-f", ComposeStack("pol-broken", "shop", "user: \"1000\""));

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("(Forbidden)", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("the cluster deploy policy cannot be used: configmap berth-system/berth-policy key policy.yaml:3:", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing is written until an administrator fixes or deletes the ConfigMap", refused.Stderr, StringComparison.Ordinal);
        Assert.False(await StoredAsync("pol-broken", "shop"));
    }

    [Fact]
    public async Task WithoutTheConfigMap_APrivilegedStackIsCreated_WithoutWarnings()
    {
        Namespace("pol-none");
        RemovePolicy();

        var created = front.Kubectl(null, "create", "-f", ComposeStack("pol-none", "shop", "privileged: true"));

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.DoesNotContain("Warning", created.Stderr, StringComparison.Ordinal);
        Assert.True(await StoredAsync("pol-none", "shop"));
        Assert.Contains(front.Api.Requests, r => r is { Method: "GET", Path: PolicyPath, StatusCode: 404 });
    }
}
