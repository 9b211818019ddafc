using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Cli.Tests;

/// <summary>
/// Secret values never leave the Secret's own data: not in berth's output (deploy, diff, collision errors, verbose),
/// not in any other object's labels/annotations/spec/status, not in any request body but the Secret's own apply.
/// Runs against the in-process test double of the Kubernetes API (not a cluster).
/// </summary>
public sealed class KubernetesSecretHygieneTests() : KubernetesStackCliTest("vault", ("compose.yaml", Compose), ("db_password.txt", FirstValue))
{
    private const string FirstValue = "pa55-first-7f3c9e";
    private const string SecondValue = "pa55-second-0b1d4a";

    private const string Compose = """
        services:
          api:
            image: busybox:1.36
            secrets: [db_password]
            environment: {MODE: prod}
        secrets:
          db_password:
            file: ./db_password.txt
        """;

    [Fact]
    public void SecretValues_AppearOnlyInTheSecretsOwnData()
    {
        var outputs = new StringBuilder();
        string Run(int expectedExit, params string[] args)
        {
            var (code, stdout, stderr) = CliRunner.RunWith(
                new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" },
                ["-v", "stack", .. args, "--kubeconfig", Kubeconfig]);
            outputs.Append(stdout).Append(stderr);

            // A command that failed early would print nothing worth searching: each must do what it is here for.
            Assert.True(code == expectedExit, $"berth stack {string.Join(' ', args)}: exit {code}, expected {expectedExit}\n{stdout}{stderr}");
            return stderr;
        }

        Run(ExitCodes.Success, "deploy", "app", "-c", Project.PathOf("compose.yaml"), "--detach");
        File.WriteAllText(Project.PathOf("db_password.txt"), SecondValue);
        Run(ExitCodes.Success, "diff", "app", "-c", Project.PathOf("compose.yaml"));
        Run(ExitCodes.Success, "diff", "app", "-c", Project.PathOf("compose.yaml"), "--format", "json");
        Run(ExitCodes.Success, "deploy", "app", "-c", Project.PathOf("compose.yaml"), "--detach");

        // A foreign object in the way: the collision error must not carry the value either.
        Double.Seed("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"other"}}""");
        var writes = Double.Writes;
        var collision = Run(ExitCodes.OrchestratorError, "deploy", "app", "-c", Project.PathOf("compose.yaml"), "--detach", "--namespace", "other");
        Assert.Contains("Service api exists and is not part of stack app", collision, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", collision, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);
        Assert.Empty(Double.List("secrets", "other"));
        Run(ExitCodes.Success, "services", "app");
        // No pod runs (the double's controllers are off): as docker stack ps, "nothing found in stack", exit 1.
        Assert.Contains("nothing found in stack: app", Run(ExitCodes.InvalidInput, "ps", "app"), StringComparison.Ordinal);

        var secret = Double.List("secrets", "vault").Single(s => s["metadata"]!["name"]!.GetValue<string>().Contains("db", StringComparison.Ordinal));
        var stored = secret["data"]!.AsObject().Single().Value!.GetValue<string>();
        Assert.Equal(SecondValue, Encoding.UTF8.GetString(Convert.FromBase64String(stored)));

        var forbidden = new[] { FirstValue, SecondValue, Base64(FirstValue), Base64(SecondValue) };
        foreach (var value in forbidden)
        {
            Assert.DoesNotContain(value, outputs.ToString(), StringComparison.Ordinal);
        }

        foreach (var resource in new[] { "deployments.apps", "services", "configmaps", "pods", "events" })
        {
            foreach (var item in Double.List(resource))
            {
                var text = item.ToJsonString();
                Assert.All(forbidden, v => Assert.DoesNotContain(v, text, StringComparison.Ordinal));
            }
        }

        // Only the Secret's own metadata may be looked at here: annotations and labels stay free of the value.
        var metadata = secret["metadata"]!.ToJsonString();
        Assert.All(forbidden, v => Assert.DoesNotContain(v, metadata, StringComparison.Ordinal));
        foreach (var request in Double.Requests.Where(r => r.Body is { Length: > 0 } && r.Resource != "secrets"))
        {
            Assert.All(forbidden, v => Assert.DoesNotContain(v, request.Body!, StringComparison.Ordinal));
        }
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
