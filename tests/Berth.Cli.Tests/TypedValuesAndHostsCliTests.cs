using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// A refused typed value stops every command before it converts or touches an orchestrator (exit 1), and an ssh://
/// engine is a one-line error plus a hint (exit 3).
/// </summary>
public sealed class TypedValuesAndHostsCliTests
{
    private const string BadReplicas = "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: two\n      resources:\n        limits: {cpus: lots}\n";

    [Fact]
    public void Config_BadTypedValues_ExitOneWithEveryError()
    {
        using var project = new TempProject(("compose.yaml", BadReplicas));

        var (code, stdout, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "config", "-c", project.PathOf("compose.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("compose.yaml:5:17: error BC307: 'two' is not an integer [services.web.deploy.replicas]", stderr, StringComparison.Ordinal);
        Assert.Contains("compose.yaml:7:24: error BC307: 'lots' is not a number [services.web.deploy.resources.limits.cpus]", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: write a whole number such as 3", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_BadTypedValue_RefusesInsteadOfDefaulting()
    {
        using var project = new TempProject(("compose.yaml", BadReplicas));

        var (code, stdout, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "convert", "-c", project.PathOf("compose.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.DoesNotContain("replicas: 1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("kind: Deployment", stdout, StringComparison.Ordinal);
        Assert.Contains("BC307", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("swarm")]
    [InlineData("kubernetes")]
    public void StackDeploy_BadTypedValue_RefusesBeforeReachingTheOrchestrator(string orchestrator)
    {
        // Both orchestrators point at nothing: reaching them would be exit 3, so exit 1 proves the file was refused first.
        using var project = new TempProject(("compose.yaml", BadReplicas), ("kubeconfig", "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"));
        var environment = new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = "tcp://127.0.0.1:1",
            ["KUBECONFIG"] = project.PathOf("kubeconfig"),
            ["BERTH_ORCHESTRATOR"] = orchestrator,
        };

        var (code, _, stderr) = CliRunner.RunWith(environment, "stack", "deploy", "-c", project.PathOf("compose.yaml"), "typed-values");

        Assert.True(code == ExitCodes.InvalidInput, stderr);
        Assert.Contains("error BC307: 'two' is not an integer", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1:1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Readme_ConfigErrorExample_IsExactlyWhatBerthPrints()
    {
        var readme = File.ReadAllText(Path.Combine(Berth.Testing.RepositoryRoot.Path, "README.md"));
        var start = readme.IndexOf("compose.yaml:4:5: error BC301", StringComparison.Ordinal);
        Assert.True(start > 0, "the README's error example is gone");
        var expected = readme[start..(readme.IndexOf("\n```", start, StringComparison.Ordinal) + 1)];
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n    imagee: nginx\n    deploy:\n      replicas: two\n"));

        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "config", "-c", project.PathOf("compose.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(expected, stderr.Replace(project.Directory + "/", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void StackLs_SshDockerHost_IsOneLineAndAHint()
    {
        var (code, stdout, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["DOCKER_HOST"] = "ssh://deploy@swarm.example" }, "stack", "ls");

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(
            "berth stack ls: DOCKER_HOST: ssh:// docker hosts are not supported by berth yet; only unix:// and tcp:// (with TLS) are\n"
            + "hint: forward the engine's socket, then point DOCKER_HOST at it: ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock deploy@swarm.example & export DOCKER_HOST=unix:///tmp/docker.sock\n",
            stderr);
    }
}
