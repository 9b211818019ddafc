using System.Text.Json;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary><c>berth stack logs</c> under Kubernetes through the real command tree against the API double: the compose-style prefix, --timestamps, --format json, and argument errors.</summary>
public sealed class KubernetesStackLogsCliTests() : KubernetesStackCliTest(("compose.yaml", Compose))
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
        """;

    [Fact]
    public void Logs_PrefixTimestampsJson_AndErrors()
    {
        Double.Controllers.Enabled = true;
        Assert.Equal(ExitCodes.Success, Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--timeout", "60s").ExitCode);
        var pod = (string)Assert.Single(Double.List("pods", "shop"))["metadata"]!["name"]!;
        var replica = pod[(pod.LastIndexOf('-') + 1)..];
        Double.AppendPodLog("shop", pod, "web", "hello world");

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
        Assert.Equal(ExitCodes.InvalidInput, unknown.ExitCode);
        Assert.Equal("berth stack logs: no service nosuch in stack demo (namespace shop) (services: web)", unknown.Stderr.Trim());
        Assert.Equal(ExitCodes.Usage, Berth("logs", "demo", "--tail", "x").ExitCode);
        Assert.Equal(ExitCodes.Usage, Berth("logs", "demo", "--since", "yesterday").ExitCode);
    }
}
