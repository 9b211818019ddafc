using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// Orchestrator choice and flags that belong to one orchestrator, through the real command tree with an injected
/// environment. Every case is refused before any Compose file is read or any engine or cluster is contacted.
/// </summary>
public sealed class StackOrchestratorFlagTests
{
    private static readonly Dictionary<string, string> s_none = [];
    private static readonly Dictionary<string, string> s_kubernetes = new() { ["BERTH_ORCHESTRATOR"] = "kubernetes" };

    public static TheoryData<string, string[]> SwarmOnlyFlags => new()
    {
        { "deploy", ["--prune"] },
        { "deploy", ["--rollback-on-failure"] },
        { "deploy", ["--with-registry-auth"] },
        { "deploy", ["--stability", "2s"] },
        { "diff", ["--prune"] },
        { "rm", ["--wait"] },
    };

    public static TheoryData<string, string[]> KubernetesOnlyFlags => new()
    {
        { "deploy", ["--namespace", "shop"] },
        { "deploy", ["--kubeconfig", "/tmp/kc"] },
        { "deploy", ["--context", "kind-dev"] },
        { "deploy", ["--volumes"] },
        { "deploy", ["--service-type", "NodePort"] },
        { "diff", ["-n", "shop"] },
        { "diff", ["--volumes"] },
        { "diff", ["--service-type", "NodePort"] },
        { "deploy", ["--network-policies"] },
        { "diff", ["--network-policies"] },
        { "ls", ["--all-namespaces"] },
        { "ls", ["--namespace", "shop"] },
        { "services", ["--context", "kind-dev"] },
        { "ps", ["--kubeconfig", "/tmp/kc"] },
        { "ps", ["-n", "shop"] },
        { "rm", ["--volumes"] },
        { "rm", ["--namespace", "shop"] },
    };

    public static TheoryData<string> Verbs => ["deploy", "diff", "services", "ps", "rm"];

    private static string[] Args(string verb, params string[] flags)
        => verb == "ls" ? ["stack", verb, .. flags] : ["stack", verb, "shop", .. flags];

    [Theory]
    [MemberData(nameof(SwarmOnlyFlags))]
    public void SwarmFlag_UnderKubernetes_IsAUsageErrorNamingTheSource(string verb, string[] flags)
    {
        var (code, stdout, stderr) = CliRunner.RunWith(s_kubernetes, Args(verb, flags));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"berth stack {verb}: {flags[0]} is a Swarm flag; the orchestrator is kubernetes (from BERTH_ORCHESTRATOR)", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: drop " + flags[0] + ", or pass --orchestrator swarm", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KubernetesOnlyFlags))]
    public void KubernetesFlag_UnderSwarm_IsAUsageError(string verb, string[] flags)
    {
        var (code, _, stderr) = CliRunner.RunWith(s_none, Args(verb, flags));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"berth stack {verb}: {flags[0]} is a Kubernetes flag; the orchestrator is swarm (the default)", stderr, StringComparison.Ordinal);
        Assert.Contains("--orchestrator kubernetes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void KubernetesFlag_UnderSwarmFromTheFlag_SaysSo()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_kubernetes, "stack", "ps", "shop", "--orchestrator", "swarm", "--context", "x");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("the orchestrator is swarm (from --orchestrator)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void SwarmFlag_UnderKubernetesFromTheConfigFile_NamesTheFile()
    {
        using var home = new TempProject((".config/berth/config.json", "{\"orchestrator\": \"kubernetes\"}"));
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["HOME"] = home.Directory }, "stack", "deploy", "shop", "--prune");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"the orchestrator is kubernetes (from {home.PathOf(".config/berth/config.json")})", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void LegacyDockerVariable_SelectsKubernetes()
    {
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["DOCKER_STACK_ORCHESTRATOR"] = "kubernetes" }, "stack", "rm", "shop", "--wait");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("the orchestrator is kubernetes (from DOCKER_STACK_ORCHESTRATOR)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void All_IsOnlyForLs(string verb)
    {
        var (code, _, stderr) = CliRunner.RunWith(s_none, Args(verb, "--orchestrator", "all"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("only for 'berth stack ls'", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void InvalidEnvironmentValue_NamesTheVariable(string verb)
    {
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "nomad" }, Args(verb));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"berth stack {verb}: invalid orchestrator 'nomad' (from BERTH_ORCHESTRATOR)", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: set BERTH_ORCHESTRATOR to swarm or kubernetes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidConfigFile_NamesTheFile()
    {
        using var config = new TempProject(("berth.json", "{\"orchestrator\": \"kubernetes\""));
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_CONFIG"] = config.PathOf("berth.json") }, "stack", "ls");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"the config file {config.PathOf("berth.json")} is not valid JSON", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidFlagValue_IsAParseError()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_none, "stack", "ls", "--orchestrator", "nomad");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("nomad", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadComposeFile_UnderKubernetes_ExitsOneBeforeTheClusterIsUsed()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: [oops\n"));
        var (code, stdout, stderr) = CliRunner.RunWith(s_kubernetes, "stack", "deploy", "shop", "-c", project.PathOf("compose.yaml"), "--kubeconfig", project.PathOf("no-such-kubeconfig"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("the Compose file has errors; nothing was changed", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy", new[] { "--orchestrator", "--namespace", "--kubeconfig", "--context", "--volumes", "--service-type", "--prune", "--resolve-image", "--with-registry-auth", "--stability", "BERTH_ORCHESTRATOR" })]
    [InlineData("ls", new[] { "--orchestrator", "swarm|kubernetes|all", "--all-namespaces", "--namespace" })]
    [InlineData("rm", new[] { "--orchestrator", "--volumes", "--wait" })]
    [InlineData("ps", new[] { "--orchestrator", "--namespace", "--context" })]
    public void Help_MentionsTheOrchestratorFlags(string verb, string[] expected)
    {
        var (code, stdout, _) = CliRunner.RunWith(s_none, "stack", verb, "--help");

        Assert.Equal(ExitCodes.Success, code);
        foreach (var text in expected)
        {
            Assert.Contains(text, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("diff")]
    [InlineData("rm")]
    public void NoFlags_UnderSwarm_AreNotMistakenForKubernetesFlags(string verb)
    {
        // Options with defaults (--service-type, --resolve-image) are implicit unless typed: the verb reaches the engine.
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var closed = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string[] args = verb == "rm" ? ["stack", verb, "shop"] : ["stack", verb, "shop", "-c", project.PathOf("compose.yaml")];

        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{closed}" }, args);

        Assert.True(code == ExitCodes.OrchestratorError, stderr);
        Assert.Contains($"127.0.0.1:{closed}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(" flag;", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "stack", "ls", "--bogus" }, "Run 'berth stack ls --help' for usage.")]
    [InlineData(new[] { "stack", "--bogus" }, "Run 'berth stack --help' for usage.")]
    [InlineData(new[] { "--bogus" }, "Run 'berth --help' for usage.")]
    public void UnknownArguments_PointAtTheHelpOfTheCommandTyped(string[] args, string expected)
    {
        var (code, stdout, stderr) = CliRunner.RunWith(s_none, args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }
}
