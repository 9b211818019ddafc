using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack rollback</c> holds the revision it would restore to today's policy under Kubernetes, against the
/// in-process test double of the Kubernetes API (not a cluster): <c>--policy</c>, and the namespace's Pod Security
/// labels added since the revision was deployed. A denied rollback prints the violations, exits 1 and sends no write
/// (the double's request log and write counter), so the Deployment and the history stay as they were.
/// </summary>
public sealed class KubernetesRollbackPolicyCliTests() : KubernetesStackCliTest(("privileged.yaml", Privileged), ("plain.yaml", Privileged.Replace("\n    privileged: true", string.Empty, StringComparison.Ordinal)))
{
    private const string Privileged = """
        services:
          web:
            image: nginx:1.27
            privileged: true
        """;

    [Fact]
    public void Rollback_ToARevisionTheNamespaceLabelsDeny_IsRefused_WithNoWrite()
    {
        DeployBothRevisions();
        Double.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"pod-security.kubernetes.io/enforce":"baseline"}}}""");
        var writes = Double.Writes;
        var mark = Double.Requests.Count;

        var (code, stdout, stderr) = Berth("rollback", "demo", "--detach");

        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Matches(@"(?m)^revision 1:\d+:\d+: error BP201: service 'web' sets 'privileged: true', which the policy denies \(rule 'allowPrivileged' of pod-security.kubernetes.io/enforce=baseline \(version latest\) of namespace 'shop'\)", stderr);
        Assert.EndsWith("berth stack rollback: stack demo violates policy pod-security.kubernetes.io/enforce=baseline (version latest) of namespace 'shop' (1 error); nothing was changed\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Rolling back", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Double.Requests.Skip(mark), r => r.IsWrite);
        Assert.Equal(writes, Double.Writes);
        Assert.Null(Double.Get("deployments.apps", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["securityContext"]?["privileged"]);
        Assert.Equal(2, Double.List("secrets", "shop").Count);
    }

    [Fact]
    public void Rollback_IsCheckedAgainstThePolicyFlag_AndWarnModeLetsItThrough()
    {
        DeployBothRevisions();
        var writes = Double.Writes;

        var (code, stdout, stderr) = Berth("rollback", "demo", "--detach", "--policy", "baseline");
        Assert.True(code == ExitCodes.InvalidInput, stdout + stderr);
        Assert.Contains("berth stack rollback: stack demo violates policy baseline (1 error); nothing was changed", stderr, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);

        var warned = Berth("rollback", "demo", "--detach", "--policy", "baseline", "--policy-mode", "warn");
        Assert.True(warned.ExitCode == ExitCodes.Success, warned.Stdout + warned.Stderr);
        Assert.Matches(@"(?m)^revision 1:\d+:\d+: warning BP201:", warned.Stderr);
        Assert.Contains("Stack demo rolled back to revision 1 (recorded as revision 3)", warned.Stdout, StringComparison.Ordinal);
        Assert.True(Double.Get("deployments.apps", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["securityContext"]!["privileged"]!.GetValue<bool>());
    }

    private void DeployBothRevisions()
    {
        var first = Berth("deploy", "demo", "-c", Project.PathOf("privileged.yaml"), "--detach");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Stderr);
        var second = Berth("deploy", "demo", "-c", Project.PathOf("plain.yaml"), "--detach");
        Assert.True(second.ExitCode == ExitCodes.Success, second.Stderr);
    }
}
