using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Cli.Tests;

/// <summary>
/// Server-side apply rules a real API server enforces (issue 15), through the shipped CLI and the API double: no two
/// items with one list-map key (a duplicate is a 500 on a real server), and another manager's item of a keyed list
/// surviving Berth's forced apply.
/// </summary>
public sealed class KubernetesServerRulesCliTests() : KubernetesStackCliTest(("v1.yaml", Web("nginx:1.27")), ("v2.yaml", Web("nginx:1.28")))
{
    private static string Web(string image) => $$"""
        services:
          web:
            image: {{image}}
            environment: {MODE: prod}
            ports:
              - {target: 80, published: 8080, mode: host}
              - {target: 80, published: 8081, mode: host}
        """;

    private (int ExitCode, string Stdout, string Stderr) Deploy(string file)
        => Berth("deploy", "demo", "-c", Project.PathOf(file), "--detach");

    [Fact]
    public void OneTargetPublishedOnTwoHostPorts_IsSentAsOneKeyedPortItem_AndTheServerAcceptsIt()
    {
        var (code, _, stderr) = Deploy("v1.yaml");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.All(Double.Requests.Where(r => r.IsWrite), r => Assert.True(r.StatusCode < 300, $"{r.Verb} {r.Resource} answered {r.StatusCode}"));
        var ports = Double.Get("deployments.apps", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray();
        var port = Assert.Single(ports);
        Assert.Equal(80, (int)port!["containerPort"]!);
        Assert.Equal(8080, (int)port["hostPort"]!);
    }

    [Fact]
    public async Task AnotherManagersEnvItem_SurvivesBerthsForcedApply()
    {
        Assert.Equal(ExitCodes.Success, Deploy("v1.yaml").ExitCode);
        using (var client = Double.CreateClient())
        {
            // An injector (another field manager) adds its own item to web's env, a list keyed by name.
            var patch = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"INJECTED","value":"1"}]}]}}}}""";
            await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.ApplyPatch), "web", "shop", fieldManager: "injector", cancellationToken: TestContext.Current.CancellationToken);
        }

        var (code, _, stderr) = Deploy("v2.yaml");

        Assert.True(code == ExitCodes.Success, stderr);
        var container = Double.Get("deployments.apps", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx:1.28", (string?)container["image"]);
        var env = container["env"]!.AsArray().Select(e => (string?)e!["name"]).ToList();
        Assert.Contains("INJECTED", env);
        Assert.Contains("MODE", env);
        var sent = JsonNode.Parse(Double.Requests.Last(r => r.Verb == "patch" && r.Resource == "deployments.apps").Body!)!;
        Assert.DoesNotContain("INJECTED", sent.ToJsonString(), StringComparison.Ordinal);
    }
}
