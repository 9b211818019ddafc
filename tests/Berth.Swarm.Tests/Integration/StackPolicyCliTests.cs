using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// <c>berth stack deploy --policy</c> (a real process) against the REAL engine: a stack the policy denies is refused
/// with its violations at their lines and leaves no service, network, secret or config of the stack behind; a stack
/// the policy allows deploys and runs (the engine refuses nothing the policy allowed); under <c>--policy-mode warn</c>
/// the violations are warnings and the deploy proceeds; a rollback to a revision today's policy denies is refused before
/// any write. Each test removes its stacks with the docker CLI.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class StackPolicyCliTests
{
    private const string Image = "berth-test/busybox:1";

    private const string Denied = $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            privileged: true
            networks: [back]
            secrets: [token]
            configs: [site]
        networks:
          back: {}
        secrets:
          token: {file: ./token.txt}
        configs:
          site: {content: "listen 80"}
        """;

    private const string Allowed = $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            user: "65534"
            cap_drop: [ALL]
            security_opt: ["no-new-privileges:true"]
            networks: [back]
        networks:
          back: {}
        """;

    public StackPolicyCliTests() => Engine.RequireSwarmManager();

    [Fact]
    public void Denied_IsRefusedBeforeAnyWrite_AllowedDeploysAndRuns()
    {
        var denied = Engine.NewStackName("bpd");
        var allowed = Engine.NewStackName("bpa");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Denied);
            File.WriteAllText(Path.Combine(dir, "token.txt"), "policy-secret-5e0b");
            File.WriteAllText(Path.Combine(dir, "allowed.yaml"), Allowed);

            var refused = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--policy", "restricted", denied);
            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Contains("compose.yaml:5:5: error BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of restricted)", refused.Stderr, StringComparison.Ordinal);
            Assert.Contains($"berth stack deploy: stack {denied} violates policy restricted (4 errors); nothing was changed", refused.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("policy-secret-5e0b", refused.ToString(), StringComparison.Ordinal);
            foreach (var kind in new[] { "service", "network", "secret", "config" })
            {
                var left = Engine.Docker(kind, "ls", "-q", "--filter", $"label=com.docker.stack.namespace={denied}");
                Assert.True(left.ExitCode == 0, left.ToString());
                Assert.True(left.Stdout.Trim().Length == 0, $"{kind}s of the denied stack exist: {left.Stdout}");
            }

            var diff = Engine.Berth(dir, null, "stack", "diff", "-c", "compose.yaml", "--policy", "baseline", denied);
            Assert.True(diff.ExitCode == 1, diff.ToString());
            Assert.Contains("compose.yaml:5:5: error BP201:", diff.Stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, diff.Stdout);

            var deployed = Engine.Berth(dir, null, "stack", "deploy", "-c", "allowed.yaml", "--resolve-image", "never", "--stability", "1s", "--timeout", "120s", "--policy", "restricted", allowed);
            Assert.True(deployed.ExitCode == 0, deployed.ToString());
            Assert.DoesNotContain("BP2", deployed.Stderr, StringComparison.Ordinal);
            Assert.Equal("1/1", Engine.Docker("service", "ls", "--filter", $"name={allowed}_web", "--format", "{{.Replicas}}").Stdout.Trim());
            Assert.Equal("65534", Engine.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.User}}", $"{allowed}_web").Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(denied);
            Engine.RemoveStack(allowed);
        }
    }

    [Fact]
    public void WarnMode_PrintsTheViolationsAsWarnings_AndDeploys()
    {
        var stack = Engine.NewStackName("bpw");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Denied);
            File.WriteAllText(Path.Combine(dir, "token.txt"), "policy-secret-5e0b");

            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--detach", "--policy", "restricted", "--policy-mode", "warn", stack);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("compose.yaml:5:5: warning BP201:", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("error BP2", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(stack + "_web", Engine.Docker("service", "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}").Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void StackPrefixScopes_SelectTheRulesOfASwarmStack()
    {
        var stack = "pay" + Engine.NewStackName("x");
        try
        {
            var dir = SwarmEngineTests.WriteProject(Denied);
            File.WriteAllText(Path.Combine(dir, "token.txt"), "policy-secret-5e0b");
            File.WriteAllText(Path.Combine(dir, "policy.yaml"), "version: 1\nname: company\nscopes:\n  - name: payments\n    stackPrefix: pay\n    rules: {allowPrivileged: false}\n");

            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--detach", "--policy", "policy.yaml", stack);

            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Contains("(rule 'allowPrivileged' of company scope 'payments')", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(string.Empty, Engine.Docker("service", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Rollback_ToARevisionThePolicyDenies_IsRefused_AndChangesNothing()
    {
        var stack = Engine.NewStackName("bpr");
        try
        {
            // Revision 1 runs as root (no user), revision 2 as 65534: restricted denies going back.
            var dir = SwarmEngineTests.WriteProject(Allowed.Replace("    user: \"65534\"\n", string.Empty, StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(dir, "allowed.yaml"), Allowed);
            var first = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--stability", "1s", "--timeout", "120s", stack);
            Assert.True(first.ExitCode == 0, first.ToString());
            var second = Engine.Berth(dir, null, "stack", "deploy", "-c", "allowed.yaml", "--resolve-image", "never", "--stability", "1s", "--timeout", "120s", "--policy", "restricted", stack);
            Assert.True(second.ExitCode == 0, second.ToString());
            var version = Engine.Docker("service", "inspect", "--format", "{{.Version.Index}}", $"{stack}_web").Stdout.Trim();

            var refused = Engine.Berth(dir, null, "stack", "rollback", "--policy", "restricted", stack);

            Assert.True(refused.ExitCode == 1, refused.ToString());
            Assert.Matches(@"(?m)^revision 1:\d+:\d+: error BP212: service 'web'", refused.Stderr);
            Assert.Contains("(rule 'requireNonRoot' of restricted)", refused.Stderr, StringComparison.Ordinal);
            Assert.EndsWith($"berth stack rollback: stack {stack} violates policy restricted (1 error); nothing was changed", refused.Stderr.TrimEnd(), StringComparison.Ordinal);
            Assert.DoesNotContain("Rolling back", refused.Stdout, StringComparison.Ordinal);
            Assert.Equal(version, Engine.Docker("service", "inspect", "--format", "{{.Version.Index}}", $"{stack}_web").Stdout.Trim());
            Assert.Equal("65534", Engine.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.User}}", $"{stack}_web").Stdout.Trim());
            Assert.Equal(3, Engine.Lines(Engine.Berth(dir, null, "stack", "history", stack).Stdout).Length);

            // The same rollback under warn goes through: the policy, not the revision, stopped it.
            var warned = Engine.Berth(dir, null, "stack", "rollback", "--policy", "restricted", "--policy-mode", "warn", "--timeout", "120s", stack);
            Assert.True(warned.ExitCode == 0, warned.ToString());
            Assert.Matches(@"(?m)^revision 1:\d+:\d+: warning BP212:", warned.Stderr);
            Assert.Equal(string.Empty, Engine.Docker("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.User}}", $"{stack}_web").Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }
}
