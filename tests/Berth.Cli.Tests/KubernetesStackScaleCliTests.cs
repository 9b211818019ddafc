using System.Text.Json;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack scale</c> under Kubernetes through the real command tree against the API double: argument errors
/// before any request, refusals before any write (exit 1, the stack's services in the hint), the table and JSON
/// output, the wait through the simulated controllers, and flags of the other orchestrator refused.
/// </summary>
public sealed class KubernetesStackScaleCliTests() : KubernetesStackCliTest(("compose.yaml", Compose))
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            deploy: {replicas: 2}
          agent:
            image: busybox:1.36
            command: ["sleep", "3600"]
            deploy: {mode: global}
        """;

    [Fact]
    public void Scale_MalformedArguments_Exit1_BeforeAnyRequest()
    {
        var (code, stdout, stderr) = Berth("scale", "demo", "web=x", "=2", "web", "api=-1");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Empty(stdout);
        Assert.Contains("berth stack scale: invalid replicas 'x' for web: expected a whole number, e.g. web=3", stderr, StringComparison.Ordinal);
        Assert.Contains("berth stack scale: invalid argument '=2': expected SERVICE=REPLICAS, e.g. web=3", stderr, StringComparison.Ordinal);
        Assert.Contains("berth stack scale: invalid argument 'web': expected SERVICE=REPLICAS", stderr, StringComparison.Ordinal);
        Assert.Contains("berth stack scale: invalid replicas -1 for api: must be 0 or more", stderr, StringComparison.Ordinal);
        Assert.Contains("nothing was changed in stack demo", stderr, StringComparison.Ordinal);
        Assert.Empty(Double.Requests);
    }

    [Fact]
    public void Scale_SwarmFlagAndMissingArgument_AreUsageErrors()
    {
        Assert.Equal(ExitCodes.Usage, Berth("scale", "demo", "web=2", "--stability", "2s").ExitCode);
        Assert.Equal(ExitCodes.Usage, Berth("scale", "demo").ExitCode);
        Assert.Empty(Double.Requests);
    }

    [Fact]
    public void Scale_GlobalAndUnknown_Exit1_NothingWritten_HintListsTheServices()
    {
        Assert.Equal(ExitCodes.Success, Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--detach").ExitCode);
        var writes = Double.Writes;

        var (code, stdout, stderr) = Berth("scale", "demo", "web=3", "agent=2", "nosuch=1");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Empty(stdout);
        Assert.Equal(
            [
                "berth stack scale: agent is a global service (a DaemonSet, one pod per node): it has no replica count",
                "berth stack scale: no service nosuch in stack demo (namespace shop)",
                "berth stack scale: nothing was changed in stack demo",
                "hint: the services of stack demo are: agent, web",
            ],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(writes, Double.Writes);
        Assert.Equal(2, (int)Double.Get("deployments.apps", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public void Scale_WaitsForTheRollout_ThenJsonWithDetach()
    {
        Double.Controllers.Enabled = true;
        Assert.Equal(ExitCodes.Success, Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--timeout", "60s").ExitCode);
        Double.ClearRequests();

        var (code, stdout, stderr) = Berth("scale", "demo", "web=3", "--timeout", "60s");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("Updating Deployment web: spec.replicas", stdout, StringComparison.Ordinal);
        Assert.EndsWith("web scaled to 3 (was 2)", stdout.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(1, Double.Requests.Count(r => r.IsWrite));
        Assert.Equal(3, (int)Double.Get("deployments.apps", "shop", "web")!["status"]!["readyReplicas"]!);

        var (jsonCode, json, jsonErr) = Berth("scale", "demo", "web=1", "--detach", "--format", "json");

        Assert.True(jsonCode == ExitCodes.Success, jsonErr);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(("demo", "kubernetes", "shop", 1, true), (root.GetProperty("stack").GetString(), root.GetProperty("orchestrator").GetString(), root.GetProperty("namespace").GetString(), root.GetProperty("writes").GetInt32(), root.GetProperty("converged").GetBoolean()));
        var web = Assert.Single(root.GetProperty("services").EnumerateArray().ToList());
        Assert.Equal(("web", "Deployment/web", 3, 1), (web.GetProperty("service").GetString(), web.GetProperty("object").GetString(), web.GetProperty("from").GetInt32(), web.GetProperty("to").GetInt32()));
        Assert.Contains("Updating Deployment web", jsonErr, StringComparison.Ordinal);
    }
}
