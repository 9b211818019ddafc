using System.Diagnostics;
using System.Text.Json;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// The Native AOT <c>berth</c> users run (artifacts/berth/berth, built by <c>scripts/berth.sh</c>, which
/// <c>scripts/test.sh</c> runs first) drives a Kubernetes stack end to end against the in-process test double of the
/// Kubernetes API (not a cluster): trimming or AOT problems in kubeconfig loading, JSON or server-side apply only
/// show up in that binary, never in the in-process tests.
/// </summary>
public sealed class NativeBinaryKubernetesTests : IAsyncLifetime
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            ports: ["8080:80"]
            configs: [{source: site, target: /etc/site.conf}]
            secrets: [token]
            volumes: [data:/data]
          cache:
            image: redis:7
            deploy: {mode: global}
        configs:
          site: {content: "listen 80"}
        secrets:
          token: {file: ./token.txt}
        volumes:
          data: {}
        """;

    private readonly TempProject _project = new(("compose.yaml", Compose), ("token.txt", "native-secret-4d2a"));
    private KubernetesApiDouble _double = null!;
    private string _kubeconfig = null!;

    public async ValueTask InitializeAsync()
    {
        _double = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        _kubeconfig = _double.WriteKubeconfig(_project.PathOf("kubeconfig"), "double", "native");
    }

    public async ValueTask DisposeAsync()
    {
        await _double.DisposeAsync();
        _project.Dispose();
    }

    [Fact]
    public async Task DeployDiffListRemove_WithTheNativeBinary()
    {
        var (deploy, deployOut, deployErr) = await Berth("stack", "deploy", "shop", "-c", _project.PathOf("compose.yaml"), "--detach");
        Assert.True(deploy == 0, deployOut + deployErr);
        Assert.Contains("Stack shop:", deployOut, StringComparison.Ordinal);
        // web owns its volume alone: a StatefulSet with a claim template (see docs/design/kubernetes-conversion.md).
        var web = _double.Get("statefulsets.apps", "native", "web");
        Assert.True(web is not null, deployOut);
        Assert.Equal("data", web["spec"]!["volumeClaimTemplates"]![0]!["metadata"]!["name"]!.GetValue<string>());
        Assert.True(_double.Get("daemonsets.apps", "native", "cache") is not null, deployOut);
        Assert.NotEmpty(_double.List("secrets", "native"));
        Assert.Contains(_double.Requests, r => r.Verb == "patch" && r.Query.Contains("fieldManager=berth", StringComparison.Ordinal));

        var writes = _double.Writes;
        var (diff, diffOut, diffErr) = await Berth("stack", "diff", "shop", "-c", _project.PathOf("compose.yaml"), "--exit-code");
        Assert.True(diff == 0, diffOut + diffErr);
        var (ls, lsOut, lsErr) = await Berth("stack", "ls", "--format", "json");
        Assert.True(ls == 0, lsErr);
        using (var row = JsonDocument.Parse(Assert.Single(lsOut.Split('\n', StringSplitOptions.RemoveEmptyEntries))))
        {
            Assert.Equal(("shop", "2"), (row.RootElement.GetProperty("Name").GetString(), row.RootElement.GetProperty("Services").GetString()));
        }

        var (services, servicesOut, _) = await Berth("stack", "services", "shop");
        Assert.Equal(0, services);
        Assert.Matches(@"web\s+replicated\s+0/1\s+nginx:1.27", servicesOut);
        Assert.Equal(writes, _double.Writes);

        var (rm, rmOut, rmErr) = await Berth("stack", "rm", "shop");
        Assert.True(rm == 0, rmOut + rmErr);
        Assert.Null(_double.Get("statefulsets.apps", "native", "web"));
        Assert.Null(_double.Get("daemonsets.apps", "native", "cache"));
        Assert.Empty(_double.List("secrets", "native"));
        Assert.DoesNotContain("native-secret-4d2a", deployOut + deployErr + diffOut + diffErr + rmOut + rmErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableCluster_IsOneLineAndExit3_WithTheNativeBinary()
    {
        var closed = _double.WriteKubeconfig(_project.PathOf("closed-kubeconfig"), "gone", "native").Replace("\\", "/", StringComparison.Ordinal);
        File.WriteAllText(closed, File.ReadAllText(closed).Replace(_double.BaseAddress.GetLeftPart(UriPartial.Authority), "http://127.0.0.1:9", StringComparison.Ordinal));

        var (code, stdout, stderr) = await BerthWith(closed, "stack", "ls");

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains("127.0.0.1:9", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> Berth(params string[] args) => BerthWith(_kubeconfig, args);

    private Task<(int ExitCode, string Stdout, string Stderr)> BerthWith(string kubeconfig, params string[] args)
    {
        // Only what the test means: no user kubeconfig, Berth config or docker settings leak in.
        var environment = new Dictionary<string, string> { ["HOME"] = _project.Directory, ["XDG_CONFIG_HOME"] = _project.PathOf(".config"), ["BERTH_ORCHESTRATOR"] = "kubernetes" };
        var result = ToolProcess.Run(NativeBinary.Path(), [.. args, "--kubeconfig", kubeconfig], _project.Directory, environment, withoutAmbient: true);
        return Task.FromResult((result.ExitCode, result.Stdout, result.Stderr));
    }
}
