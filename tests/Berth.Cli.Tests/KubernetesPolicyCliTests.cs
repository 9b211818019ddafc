using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack deploy|diff --policy</c> under Kubernetes, against the in-process test double of the Kubernetes API
/// (not a cluster): a denied stack is refused with every violation at its line before any request that writes (the
/// double's request log holds no POST, PUT, PATCH or DELETE), an allowed one is applied, and <c>--policy-mode warn</c>
/// prints the violations as warnings and deploys. The kubeconfig's namespace (<c>shop</c>) selects namespace scopes.
/// </summary>
public sealed class KubernetesPolicyCliTests() : KubernetesStackCliTest(
    ("denied.yaml", Denied),
    ("allowed.yaml", Allowed),
    ("scoped.yaml", "version: 1\nname: company\nscopes:\n  - name: shop\n    namespace: shop\n    profile: baseline\n"))
{
    private const string Denied = """
        services:
          web:
            image: nginx:1.27
            privileged: true
            ports: ["8080:80"]
            secrets: [token]
        secrets:
          token: {file: ./token.txt}
        """;

    private const string Allowed = """
        services:
          web:
            image: nginx:1.27
            user: "101"
            cap_drop: [ALL]
            security_opt: ["no-new-privileges:true"]
            ports: ["8080:80"]
        """;

    [Fact]
    public void Deploy_Denied_PrintsTheViolationsWithLines_ExitsOne_AndWritesNothing()
    {
        Project.Write("token.txt", "policy-secret-77c1");
        var file = Project.PathOf("denied.yaml");

        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", file, "--detach", "--policy", "restricted");

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Contains($"{file}:4:5: error BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of restricted) [services.web.privileged]", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:2:3: error BP209:", stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:2:3: error BP212:", stderr, StringComparison.Ordinal);
        Assert.Contains("  hint: remove 'privileged: true'", stderr, StringComparison.Ordinal);
        Assert.EndsWith("berth stack deploy: stack demo violates policy restricted (4 errors); nothing was changed\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Deploying stack", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Double.Requests, r => r.IsWrite || r.Method is "POST" or "PUT" or "PATCH" or "DELETE");
        Assert.Equal(0, Double.Writes);
        Assert.Empty(Double.List("secrets", "shop"));
        Assert.DoesNotContain("policy-secret-77c1", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_Allowed_IsApplied()
    {
        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("allowed.yaml"), "--detach", "--policy", "restricted");

        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.DoesNotContain("BP2", stderr, StringComparison.Ordinal);
        Assert.NotNull(Double.Get("deployments.apps", "shop", "web"));
        Assert.NotEqual(0, Double.Writes);
    }

    [Fact]
    public void Diff_Denied_ShowsTheViolations_ExitsOne_AndReadsNoPlan()
    {
        Project.Write("token.txt", "policy-secret-77c1");
        var (code, stdout, stderr) = Berth("diff", "demo", "-c", Project.PathOf("denied.yaml"), "--policy", "baseline");

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Contains(":4:5: error BP201:", stderr, StringComparison.Ordinal);
        Assert.EndsWith("berth stack diff: stack demo violates policy baseline (1 error); nothing was changed\n", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
        // The one request is the namespace's Pod Security labels (none here): no plan is read.
        Assert.Equal("get namespaces/shop", Assert.Single(Double.Requests) is var only ? $"{only.Verb} {only.Resource}/{only.Name}" : null);

        var (exitCode, _, _) = Berth("diff", "demo", "-c", Project.PathOf("denied.yaml"), "--policy", "baseline", "--exit-code");
        Assert.Equal(ExitCodes.DiffInvalidInput, exitCode);
    }

    [Fact]
    public void WarnMode_PrintsWarnings_AndDeploys()
    {
        Project.Write("token.txt", "policy-secret-77c1");
        var (code, stdout, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("denied.yaml"), "--detach", "--policy", "restricted", "--policy-mode", "warn");

        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Contains(":4:5: warning BP201:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("error BP2", stderr, StringComparison.Ordinal);
        Assert.Contains("Deploying stack demo to namespace shop", stdout, StringComparison.Ordinal);
        Assert.NotNull(Double.Get("deployments.apps", "shop", "web"));
    }

    [Fact]
    public void NamespaceScopes_AreSelectedByTheClusterNamespace()
    {
        Project.Write("token.txt", "policy-secret-77c1");
        var scoped = Project.PathOf("scoped.yaml");

        var (shop, _, shopErr) = Berth("deploy", "demo", "-c", Project.PathOf("denied.yaml"), "--detach", "--policy", scoped);
        Assert.True(shop == ExitCodes.InvalidInput, shopErr);
        Assert.Contains("(rule 'allowPrivileged' of company scope 'shop')", shopErr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);

        var (other, otherOut, otherErr) = Berth("deploy", "demo", "-c", Project.PathOf("denied.yaml"), "--detach", "--policy", scoped, "--namespace", "elsewhere");
        Assert.True(other == ExitCodes.Success, otherOut + otherErr);
        Assert.NotNull(Double.Get("deployments.apps", "elsewhere", "web"));
    }

    [Fact]
    public void AnUnreadablePolicy_IsReportedBeforeTheClusterIsAsked()
    {
        Project.Write("bad-policy.yaml", "version: 1\nrules: {allowPrivileged: maybe}\n");
        var (code, _, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("allowed.yaml"), "--detach", "--policy", Project.PathOf("bad-policy.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"{Project.PathOf("bad-policy.yaml")}:2:26: error BP103:", stderr, StringComparison.Ordinal);
        Assert.Contains("berth stack deploy: the policy '", stderr, StringComparison.Ordinal);
        Assert.Empty(Double.Requests);

        var (modeAlone, _, modeErr) = Berth("deploy", "demo", "-c", Project.PathOf("allowed.yaml"), "--detach", "--policy-mode", "warn");
        Assert.Equal(ExitCodes.Usage, modeAlone);
        Assert.Contains("--policy-mode has no policy to apply", modeErr, StringComparison.Ordinal);
        Assert.Empty(Double.Requests);
    }
}
