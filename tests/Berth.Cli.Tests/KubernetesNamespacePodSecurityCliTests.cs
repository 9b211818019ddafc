using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack deploy|diff</c> reads the target namespace's Pod Security admission labels and checks them as a
/// policy, with or without <c>--policy</c>, against the in-process test double of the Kubernetes API (not a cluster;
/// it stores the namespace's labels and enforces none of them, so what is refused here is refused by Berth): an
/// <c>enforce</c> label refuses a violating stack at its Compose line with zero writes in the double's request log,
/// a <c>warn</c> label prints warnings and deploys, an unlabelled namespace changes nothing, and a namespace Berth may
/// not read is a warning, never a failure.
/// </summary>
public sealed class KubernetesNamespacePodSecurityCliTests() : KubernetesStackCliTest(
    ("privileged.yaml", Privileged),
    ("company.yaml", "version: 1\nname: company\nrules:\n  images: {denyLatest: true}\n"))
{
    private const string Privileged = """
        services:
          web:
            image: nginx:1.27
            privileged: true
            ports: ["8080:80"]
        """;

    [Fact]
    public void EnforceRestricted_RefusesAPrivilegedStack_AtItsLine_WithoutPolicyFlag_AndWritesNothing()
    {
        Label("\"pod-security.kubernetes.io/enforce\": \"restricted\"");
        var file = Project.PathOf("privileged.yaml");

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", file, "--detach");

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Contains($"{file}:4:5: error BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of pod-security.kubernetes.io/enforce=restricted (version latest) of namespace 'shop') [services.web.privileged]", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:2:3: error BP212:", stderr, StringComparison.Ordinal);
        Assert.EndsWith("berth stack deploy: stack demo violates policy pod-security.kubernetes.io/enforce=restricted (version latest) of namespace 'shop' (4 errors); nothing was changed\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Deploying stack", stdout, StringComparison.Ordinal);
        Assert.Contains(Double.Requests, r => r is { Verb: "get", Resource: "namespaces", Name: "shop" });
        Assert.DoesNotContain(Double.Requests, r => r.IsWrite);
        Assert.Equal(0, Double.Writes);
        Assert.Empty(Double.List("deployments.apps", "shop"));

        var (diff, diffOut, diffErr) = Berth("diff", "demo", "-c", file);
        Assert.True(diff == ExitCodes.InvalidInput, diffOut + diffErr);
        Assert.Contains($"{file}:4:5: error BP201:", diffErr, StringComparison.Ordinal);
        Assert.EndsWith("berth stack diff: stack demo violates policy pod-security.kubernetes.io/enforce=restricted (version latest) of namespace 'shop' (4 errors); nothing was changed\n", diffErr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);
    }

    [Fact]
    public void WarnBaseline_PrintsTheViolationAsAWarning_AndDeploys()
    {
        Label("\"pod-security.kubernetes.io/warn\": \"baseline\"");

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("privileged.yaml"), "--detach");

        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains(":4:5: warning BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of pod-security.kubernetes.io/warn=baseline (version latest) of namespace 'shop')", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("error BP2", stderr, StringComparison.Ordinal);
        Assert.Contains("Deploying stack demo to namespace shop", stdout, StringComparison.Ordinal);
        Assert.NotNull(Double.Get("deployments.apps", "shop", "web"));
    }

    [Fact]
    public void AnUnlabelledNamespace_OrNoneYet_ChangesNothing()
    {
        var (missing, missingOut, missingErr) = Berth("deploy", "demo", "-c", Project.PathOf("privileged.yaml"), "--detach");
        Assert.True(missing == ExitCodes.Success, missingOut + missingErr);
        Assert.Contains(Double.Requests, r => r is { Verb: "get", Resource: "namespaces", Name: "shop", StatusCode: 404 });
        Assert.DoesNotContain("BP", missingErr, StringComparison.Ordinal);

        Double.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"other","labels":{"team":"web"}}}""");
        var (other, otherOut, otherErr) = Berth("deploy", "demo", "-c", Project.PathOf("privileged.yaml"), "--detach", "--namespace", "other");
        Assert.True(other == ExitCodes.Success, otherOut + otherErr);
        Assert.DoesNotContain("BP", otherErr, StringComparison.Ordinal);
        Assert.NotNull(Double.Get("deployments.apps", "other", "web"));
    }

    [Fact]
    public void ThePolicyFileAndTheLabels_AreCheckedTogether_EachViolationNamingItsSource()
    {
        Label("\"pod-security.kubernetes.io/enforce\": \"baseline\"");
        Project.Write("latest.yaml", "services:\n  web:\n    image: nginx\n    privileged: true\n");
        var file = Project.PathOf("latest.yaml");

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", file, "--detach", "--policy", Project.PathOf("company.yaml"));

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Contains($"{file}:3:5: error BP221:", stderr, StringComparison.Ordinal);
        Assert.Contains("(rule 'images.denyLatest' of company)", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:4:5: error BP201:", stderr, StringComparison.Ordinal);
        Assert.Contains("(rule 'allowPrivileged' of pod-security.kubernetes.io/enforce=baseline (version latest) of namespace 'shop')", stderr, StringComparison.Ordinal);
        Assert.True(stderr.IndexOf(":3:5: error BP221", StringComparison.Ordinal) < stderr.IndexOf(":4:5: error BP201", StringComparison.Ordinal), stderr);
        Assert.EndsWith("violates policy company and pod-security.kubernetes.io/enforce=baseline (version latest) of namespace 'shop' (2 errors); nothing was changed\n", stderr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);
    }

    [Fact]
    public void ANamespaceBerthMayNotRead_IsAWarning_AndTheDeployGoesOn()
    {
        Label("\"pod-security.kubernetes.io/enforce\": \"restricted\"");
        Double.Deny("get", "namespaces");

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("privileged.yaml"), "--detach");

        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains("namespace shop: its Pod Security labels were not read (forbidden to read the namespace); the cluster still applies them when pods are created", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("BP2", stderr, StringComparison.Ordinal);
        Assert.NotNull(Double.Get("deployments.apps", "shop", "web"));
    }

    [Fact]
    public void AnUnreadableLevel_IsAWarning_AndEnforceFailsClosed()
    {
        Label("\"pod-security.kubernetes.io/enforce\": \"strict\"");

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("privileged.yaml"), "--detach");

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Contains("warning BP108: namespace 'shop': label 'pod-security.kubernetes.io/enforce' has level 'strict'", stderr, StringComparison.Ordinal);
        Assert.Contains(":4:5: error BP201:", stderr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);
    }

    private void Label(string labels)
        => Double.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{""" + labels + "}}}");
}
