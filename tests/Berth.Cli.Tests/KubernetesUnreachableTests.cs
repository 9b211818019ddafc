using System.Net;
using System.Net.Sockets;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// Every stack verb under Kubernetes with a kubeconfig that points at a closed loopback port (no API server, no
/// test double): one line naming the server and the kubeconfig context, a hint, exit 3, no stack trace.
/// </summary>
public sealed class KubernetesUnreachableTests : IDisposable
{
    private readonly TempProject _project;
    private readonly string _server;

    public KubernetesUnreachableTests()
    {
        _server = $"http://127.0.0.1:{FreePort.Loopback()}";
        _project = new TempProject(
            ("compose.yaml", "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n"),
            ("kubeconfig", $"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: \"{_server}\"}}\nusers:\n- name: u\n  user: {{token: t}}\ncontexts:\n- name: closed\n  context: {{cluster: c, user: u, namespace: shop}}\ncurrent-context: closed\n"));
    }

    public void Dispose() => _project.Dispose();

    public static TheoryData<string[]> Commands => new()
    {
        new[] { "deploy", "demo", "--detach" },
        new[] { "diff", "demo" },
        new[] { "ls" },
        new[] { "services", "demo" },
        new[] { "ps", "demo" },
        new[] { "rm", "demo" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Unreachable_ExitsThree_NamingTheServer(string[] verbAndArgs)
    {
        string[] args = ["stack", .. verbAndArgs, "--kubeconfig", _project.PathOf("kubeconfig")];
        if (verbAndArgs[0] is "deploy" or "diff")
        {
            args = [.. args, "-c", _project.PathOf("compose.yaml")];
        }

        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" }, args);

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains($"berth stack {verbAndArgs[0]}: ", stderr, StringComparison.Ordinal);
        Assert.Contains(_server, stderr, StringComparison.Ordinal);
        Assert.Contains("\"closed\"", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingKubeconfig_ExitsThree_NamingTheFile()
    {
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "stack", "ps", "demo", "--orchestrator", "kubernetes", "--kubeconfig", _project.PathOf("nope"));

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains(_project.PathOf("nope"), stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigFileKubernetesDefaults_AreUsed()
    {
        using var config = new TempProject(("berth.json", $"{{\"orchestrator\": \"kubernetes\", \"kubernetes\": {{\"kubeconfig\": \"{_project.PathOf("kubeconfig")}\", \"namespace\": \"from-config\"}}}}"));
        var (code, stdout, _) = CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_CONFIG"] = config.PathOf("berth.json") }, "stack", "deploy", "demo", "-d", "-c", _project.PathOf("compose.yaml"));

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Contains("Deploying stack demo to namespace from-config (context \"closed\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void LsAll_NeitherAnswers_ExitsThreeWithBothWarnings()
    {
        var (code, stdout, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["DOCKER_HOST"] = "tcp://" + new Uri(_server).Authority }, "stack", "ls", "--orchestrator", "all", "--kubeconfig", _project.PathOf("kubeconfig"));

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("warning: Swarm stacks not listed: ", stderr, StringComparison.Ordinal);
        Assert.Contains("warning: Kubernetes stacks not listed: ", stderr, StringComparison.Ordinal);
        Assert.Contains("berth stack ls: neither Swarm nor Kubernetes answered", stderr, StringComparison.Ordinal);
    }
}
