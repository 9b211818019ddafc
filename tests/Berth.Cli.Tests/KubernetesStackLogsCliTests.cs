using System.Text.Json;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary><c>berth stack logs</c> under Kubernetes through the real command tree against the API double: the compose-style prefix, --timestamps, --format json, and argument errors.</summary>
public sealed class KubernetesStackLogsCliTests : IAsyncLifetime
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
        """;

    private readonly TempProject _project = new(("compose.yaml", Compose));
    private KubernetesApiDouble _double = null!;
    private string _kubeconfig = null!;

    public async ValueTask InitializeAsync()
    {
        _double = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        _kubeconfig = _double.WriteKubeconfig(_project.PathOf("kubeconfig"), "double", "shop");
    }

    public async ValueTask DisposeAsync()
    {
        await _double.DisposeAsync();
        _project.Dispose();
    }

    private (int ExitCode, string Stdout, string Stderr) Berth(params string[] args)
        => CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" }, ["stack", .. args, "--kubeconfig", _kubeconfig]);

    [Fact]
    public void Logs_PrefixTimestampsJson_AndErrors()
    {
        _double.Controllers.Enabled = true;
        Assert.Equal(ExitCodes.Success, Berth("deploy", "demo", "-c", _project.PathOf("compose.yaml"), "--timeout", "60s").ExitCode);
        var pod = (string)Assert.Single(_double.List("pods", "shop"))["metadata"]!["name"]!;
        var replica = pod[(pod.LastIndexOf('-') + 1)..];
        _double.AppendPodLog("shop", pod, "web", "hello world");

        var (code, stdout, stderr) = Berth("logs", "demo");
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Equal($"{$"web-{replica}",-12} | hello world", stdout.TrimEnd('\n'));

        var stamped = Berth("logs", "demo", "web", "--timestamps");
        Assert.Matches($@"^web-{replica} +\| \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{7}}Z hello world\n$", stamped.Stdout);

        var json = Berth("logs", "demo", "--format", "json");
        using var doc = JsonDocument.Parse(json.Stdout);
        var root = doc.RootElement;
        Assert.Equal(("web", replica, "stdout", "hello world"), (root.GetProperty("service").GetString(), root.GetProperty("replica").GetString(), root.GetProperty("stream").GetString(), root.GetProperty("message").GetString()));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("time").GetString(), out _));

        var unknown = Berth("logs", "demo", "nosuch");
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Equal("berth stack logs: no service nosuch in stack demo (namespace shop) (services: web)", unknown.Stderr.Trim());
        Assert.Equal(ExitCodes.Usage, Berth("logs", "demo", "--tail", "x").ExitCode);
        Assert.Equal(ExitCodes.Usage, Berth("logs", "demo", "--since", "yesterday").ExitCode);
    }
}
