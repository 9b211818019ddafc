using System.Globalization;
using System.Text.Json;

namespace Berth.Cli.Tests;

/// <summary>
/// Kubernetes stacks give ls/services/ps output of the same shape as Swarm's (docker's keys, one JSON object per
/// line, Go templates), against the in-process Kubernetes API test double (see <see cref="KubernetesStackCliTests"/>).
/// </summary>
public sealed class KubernetesStackOutputTests() : KubernetesStackCliTest(("compose.yaml", Compose))
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80"]
            deploy: {replicas: 2}
          migrate:
            image: busybox:1.36
            command: ["true"]
            deploy: {mode: replicated-job, replicas: 2}
        """;

    private static List<Dictionary<string, string>> Rows(string stdout) =>
    [
        .. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var row = JsonDocument.Parse(line);
            return row.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        }),
    ];

    private void DeployAndSeedPod()
    {
        var (code, _, stderr) = Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--detach");
        Assert.True(code == ExitCodes.Success, stderr);
        Double.Seed("""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "web-7d4b9-abcde", "namespace": "shop", "uid": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
                          "labels": {"com.docker.stack.namespace": "demo", "com.docker.service.name": "web"}},
             "spec": {"nodeName": "node-1", "containers": [{"name": "web", "image": "nginx:1.27"}]},
             "status": {"phase": "Running", "containerStatuses": [{"name": "web", "image": "nginx:1.27", "imageID": "", "ready": true, "restartCount": 1,
                        "state": {"running": {"startedAt": "2099-01-02T03:04:05Z"}}}]}}
            """);
    }

    [Fact]
    public void Json_DockersKeysOneObjectPerLine_PlusNamespaceOrchestratorTimestampsRestarts()
    {
        DeployAndSeedPod();

        var ls = Assert.Single(Rows(Berth("ls", "--format", "json").Stdout));
        Assert.Equal(["Name", "Namespace", "Orchestrator", "Services"], ls.Keys);
        Assert.Equal(["demo", "shop", "kubernetes", "2"], ls.Values);

        var services = Rows(Berth("services", "demo", "--format", "json").Stdout);
        Assert.Equal(["migrate", "web"], services.Select(s => s["Name"]));
        Assert.All(services, s => Assert.Equal(["ID", "Image", "Mode", "Name", "Ports", "Replicas"], s.Keys));
        Assert.Equal("0/2 (0/2 completed)", services[0]["Replicas"]);
        Assert.Equal("0/2", services[1]["Replicas"]);

        var pod = Assert.Single(Rows(Berth("ps", "demo", "--format", "json").Stdout));
        Assert.Equal(["CreatedAt", "CurrentState", "DesiredState", "Error", "ID", "Image", "Name", "Node", "Ports", "Restarts", "UpdatedAt"], pod.Keys);
        Assert.Equal(("web-7d4b9-abcde", "node-1", "1", "Running"), (pod["Name"], pod["Node"], pod["Restarts"], pod["DesiredState"]));
        Assert.Equal("2099-01-02T03:04:05Z", pod["UpdatedAt"]);
        var created = DateTimeOffset.Parse(pod["CreatedAt"], CultureInfo.InvariantCulture);
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public void Templates_AndUnknownFields_AsOnSwarm()
    {
        DeployAndSeedPod();

        Assert.Equal("demo shop kubernetes\n", Berth("ls", "--format", "{{.Name}} {{.Namespace}} {{.Orchestrator}}").Stdout);
        Assert.Equal("migrate\t0/2 (0/2 completed)\nweb\t0/2\n", Berth("services", "demo", "--format", "{{.Name}}\\t{{.Replicas}}").Stdout);
        Assert.Equal("NAME              RESTARTS\nweb-7d4b9-abcde   1\n", Berth("ps", "demo", "--format", "table {{.Name}}\\t{{.Restarts}}").Stdout);

        var (code, stdout, stderr) = Berth("ps", "demo", "--format", "{{.Slot}}");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout);
        Assert.Contains("berth stack ps: invalid --format: template: can't evaluate field Slot (fields: CreatedAt, CurrentState, DesiredState, Error, ID, Image, Name, Node, Ports, Restarts, UpdatedAt)", stderr, StringComparison.Ordinal);
    }
}
