using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// Secret values never leave the Secret's own data: not in berth's output (deploy, diff, collision errors, verbose),
/// not in any other object's labels/annotations/spec/status, not in any request body but the Secret's own apply.
/// Runs against the in-process test double of the Kubernetes API (not a cluster).
/// </summary>
public sealed class KubernetesSecretHygieneTests : IAsyncLifetime
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

    private readonly TempProject _project = new(("compose.yaml", Compose), ("db_password.txt", FirstValue));
    private KubernetesApiDouble _double = null!;
    private string _kubeconfig = null!;

    public async ValueTask InitializeAsync()
    {
        _double = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        _kubeconfig = _double.WriteKubeconfig(_project.PathOf("kubeconfig"), "double", "vault");
    }

    public async ValueTask DisposeAsync()
    {
        await _double.DisposeAsync();
        _project.Dispose();
    }

    [Fact]
    public void SecretValues_AppearOnlyInTheSecretsOwnData()
    {
        var outputs = new StringBuilder();
        void Run(params string[] args)
        {
            var (_, stdout, stderr) = CliRunner.RunWith(
                new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" },
                ["-v", "stack", .. args, "--kubeconfig", _kubeconfig]);
            outputs.Append(stdout).Append(stderr);
        }

        Run("deploy", "app", "-c", _project.PathOf("compose.yaml"), "--detach");
        File.WriteAllText(_project.PathOf("db_password.txt"), SecondValue);
        Run("diff", "app", "-c", _project.PathOf("compose.yaml"));
        Run("diff", "app", "-c", _project.PathOf("compose.yaml"), "--format", "json");
        Run("deploy", "app", "-c", _project.PathOf("compose.yaml"), "--detach");

        // A foreign object in the way: the collision error must not carry the value either.
        _double.Seed("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"api","namespace":"other"}}""");
        Run("deploy", "app", "-c", _project.PathOf("compose.yaml"), "--detach", "--namespace", "other");
        Run("services", "app");
        Run("ps", "app");

        var secret = _double.List("secrets", "vault").Single(s => s["metadata"]!["name"]!.GetValue<string>().Contains("db", StringComparison.Ordinal));
        var stored = secret["data"]!.AsObject().Single().Value!.GetValue<string>();
        Assert.Equal(SecondValue, Encoding.UTF8.GetString(Convert.FromBase64String(stored)));

        var forbidden = new[] { FirstValue, SecondValue, Base64(FirstValue), Base64(SecondValue) };
        foreach (var value in forbidden)
        {
            Assert.DoesNotContain(value, outputs.ToString(), StringComparison.Ordinal);
        }

        foreach (var resource in new[] { "deployments.apps", "services", "configmaps", "pods", "events" })
        {
            foreach (var item in _double.List(resource))
            {
                var text = item.ToJsonString();
                Assert.All(forbidden, v => Assert.DoesNotContain(v, text, StringComparison.Ordinal));
            }
        }

        // Only the Secret's own metadata may be looked at here: annotations and labels stay free of the value.
        var metadata = secret["metadata"]!.ToJsonString();
        Assert.All(forbidden, v => Assert.DoesNotContain(v, metadata, StringComparison.Ordinal));
        foreach (var request in _double.Requests.Where(r => r.Body is { Length: > 0 } && r.Resource != "secrets"))
        {
            Assert.All(forbidden, v => Assert.DoesNotContain(v, request.Body!, StringComparison.Ordinal));
        }
    }

    private static string Base64(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
}
