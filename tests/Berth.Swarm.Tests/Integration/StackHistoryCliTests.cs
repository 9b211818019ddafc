using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary><c>berth stack history</c> and <c>berth stack rollback</c> (real processes) against the real engine.</summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class StackHistoryCliTests
{
    private const string Image = "berth-test/busybox:1";

    public StackHistoryCliTests() => Engine.RequireSwarmManager();

    private static string App(string mode) => $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            environment: {MODE: {{mode}}}
            secrets: [token]
        secrets:
          token: {environment: TOKEN}
        """;

    [Fact]
    public void History_ListsEachDeploy_RollbackShowsTheDiffThenRecordsANewRevision_ASecretChangedSinceIsNamed()
    {
        var stack = Engine.NewStackName("bh");
        var token = new Dictionary<string, string> { ["TOKEN"] = "s3cret-history" };
        try
        {
            var dir = SwarmEngineTests.WriteProject(App("one"));
            var first = Engine.Berth(dir, token, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--stability", "1s", stack);
            Assert.True(first.ExitCode == 0, first.ToString());
            File.WriteAllText(Path.Combine(dir, "compose.yaml"), App("two"));
            var second = Engine.Berth(dir, token, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "never", "--stability", "1s", stack);
            Assert.True(second.ExitCode == 0, second.ToString());

            var history = Engine.Berth(dir, null, "stack", "history", stack);
            Assert.True(history.ExitCode == 0, history.ToString());
            var lines = Engine.Lines(history.Stdout);
            Assert.Matches(@"^REVISION\s+DEPLOYED\s+BY\s+BERTH\s+SOURCE/NOTE$", lines[0]);
            Assert.Equal(3, lines.Length);
            Assert.Matches(@"^1\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s+\S+\s+\S+\s+compose\.yaml@[0-9a-f]{12}$", lines[1]);
            var json = Engine.Berth(dir, null, "stack", "history", stack, "--format", "json");
            Assert.Contains("\"revision\":2", json.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret-history", history.Stdout + json.Stdout, StringComparison.Ordinal);

            // The secret's variable no longer holds the deployed content: named, nothing written, exit 1.
            var changed = Engine.Berth(dir, new Dictionary<string, string> { ["TOKEN"] = "other" }, "stack", "rollback", stack);
            Assert.True(changed.ExitCode == 1, changed.ToString());
            Assert.Equal($"berth stack rollback: secret token: the content of environment variable TOKEN has changed since revision 1 was deployed (sha256 {Sha("s3cret-history")}); nothing was changed", Engine.Lines(changed.Stderr)[0]);
            Assert.DoesNotContain("other", changed.Stderr, StringComparison.Ordinal);

            var rollback = Engine.Berth(dir, token, "stack", "rollback", stack);
            Assert.True(rollback.ExitCode == 0, rollback.ToString());
            Assert.Contains($"Rolling back stack {stack} to revision 1:", rollback.Stdout, StringComparison.Ordinal);
            Assert.Contains($"~ update service {stack}_web", rollback.Stdout, StringComparison.Ordinal);
            Assert.Contains($"Stack {stack} rolled back to revision 1 (recorded as revision 3)", rollback.Stdout, StringComparison.Ordinal);
            Assert.Contains("MODE=one", Engine.Docker("service", "inspect", $"{stack}_web", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}").Stdout, StringComparison.Ordinal);
            Assert.EndsWith("rollback to 1", Engine.Lines(Engine.Berth(dir, null, "stack", "history", stack).Stdout)[^1], StringComparison.Ordinal);

            // docker's listings are unaffected by the revision configs.
            Assert.Equal($"{stack}_web", Engine.Docker("stack", "services", stack, "--format", "{{.Name}}").Stdout.Trim());
            Assert.Contains($"{stack} 1", Engine.Lines(Engine.Berth(dir, null, "stack", "ls", "--format", "{{.Name}} {{.Services}}").Stdout));

            var unknown = Engine.Berth(dir, null, "stack", "history", stack + "x");
            Assert.True(unknown.ExitCode == 1, unknown.ToString());
            Assert.Equal($"berth stack history: stack {stack}x not found", Engine.Lines(unknown.Stderr)[0]);
        }
        finally
        {
            Engine.RemoveStack(stack);
            foreach (var n in new[] { 1, 2, 3 })
            {
                Engine.Docker("config", "rm", $"{stack}_berth-revision-{n}");
            }
        }
    }

    private static string Sha(string value) => System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)))[..12];
}
