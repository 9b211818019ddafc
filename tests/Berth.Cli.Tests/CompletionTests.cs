using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth completion SHELL</c> and the candidates its scripts ask for (<c>berth completion __complete LINE</c>):
/// subcommands and flags from the command tree, fixed flag values, stack names through <c>stack ls</c>, service names
/// from the Compose file. The real shells driving the scripts are in Berth.Swarm.Tests (CompletionShellTests).
/// </summary>
public sealed class CompletionTests
{
    /// <summary>An engine that refuses connections at once, so a stack listing fails fast.</summary>
    private static readonly Dictionary<string, string> s_closedEngine = new() { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{FreePort.Loopback()}" };

    private static string[] Complete(string line, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (code, stdout, stderr) = CliRunner.RunWith(environment ?? s_closedEngine, "completion", "__complete", line);
        Assert.True(code == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Subcommands_AreTheTreesVisibleOnes()
    {
        var root = BerthCommand.Create(_ => null);
        var stack = root.Subcommands.Single(c => c.Name == "stack");

        Assert.Equal(root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).Order(StringComparer.Ordinal), Complete("berth ").Order(StringComparer.Ordinal));
        Assert.Equal(stack.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).Order(StringComparer.Ordinal), Complete("berth stack ").Order(StringComparer.Ordinal));
        Assert.Equal(["deploy"], Complete("berth stack de"));
        Assert.Equal(["diff"], Complete("berth stack di"));
        Assert.DoesNotContain("__complete", Complete("berth completion "));
    }

    [Fact]
    public void Flags_ComeFromTheCommand_OnceADashIsTyped()
    {
        var deploy = BerthCommand.Create(_ => null).Subcommands.Single(c => c.Name == "stack").Subcommands.Single(c => c.Name == "deploy");
        var visible = deploy.Options.Where(o => !o.Hidden).Select(o => o.Name).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToList();

        var flags = Complete("berth stack deploy --");

        Assert.Contains("--resolve-image", flags);
        Assert.Contains("--compose-file", flags);
        Assert.All(visible, name => Assert.Contains(name, flags));
        Assert.DoesNotContain("--project-name", flags); // hidden on the stack verbs (the stack name is the project name)
        Assert.Equal(["--wait"], Complete("berth stack rm --wa"));
        Assert.Contains("-c", Complete("berth config -"));
        Assert.DoesNotContain(Complete("berth stack ps "), c => c.StartsWith('-'));
    }

    [Theory]
    [InlineData("berth stack ps --orchestrator ", "kubernetes,swarm")]
    [InlineData("berth stack ls --orchestrator ", "all,kubernetes,swarm")]
    [InlineData("berth stack ps --orchestrator k", "kubernetes")]
    [InlineData("berth stack ps --orchestrator=", "--orchestrator=kubernetes,--orchestrator=swarm")]
    [InlineData("berth stack ps --orchestrator=sw", "--orchestrator=swarm")]
    [InlineData("berth config -o ", "json,yaml")]
    [InlineData("berth convert --output ", "json,yaml")]
    [InlineData("berth convert --service-type ", "LoadBalancer,NodePort")]
    [InlineData("berth stack deploy --resolve-image ", "always,changed,never")]
    [InlineData("berth stack ls --format ", "json,table")]
    [InlineData("berth stack diff --format ", "json,table")]
    [InlineData("berth completion ", "bash,fish,pwsh,zsh")]
    [InlineData("berth stack services x --filter ", "id=,label=,mode=global,mode=replicated,name=")]
    [InlineData("berth stack services x --filter mode=", "mode=global,mode=replicated")]
    [InlineData("berth stack ps x --filter desired-state=r", "desired-state=running")]
    public void FixedValues_AreOffered(string line, string expected)
        => Assert.Equal(expected.Split(','), Complete(line).Order(StringComparer.Ordinal));

    [Fact]
    public void StackNames_WhenTheOrchestratorCannotBeReached_AreNone_Quickly()
    {
        var clock = Stopwatch.StartNew();

        Assert.Empty(Complete("berth stack ps "));
        Assert.Empty(Complete("berth stack rm a "));
        Assert.Empty(Complete("berth stack ps ", new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "nomad" }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task StackNames_OnKubernetes_AreTheStacksLsFinds_WithTheFlagsOnTheLine()
    {
        using var project = new TempProject(("shop-front.yaml", "services:\n  web:\n    image: nginx:1.27\n"), ("shop-back.yaml", "services:\n  api:\n    image: nginx:1.27\n"));
        await using var cluster = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        var kubeconfig = cluster.WriteKubeconfig(project.PathOf("kubeconfig"), "double", "shop");
        var kubernetes = new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" };
        foreach (var stack in (string[])["shop-front", "shop-back"])
        {
            var (code, _, stderr) = CliRunner.RunWith(kubernetes, "stack", "deploy", stack, "-c", project.PathOf(stack + ".yaml"), "--detach", "--kubeconfig", kubeconfig);
            Assert.True(code == 0, stderr);
        }

        Assert.Equal(["shop-back", "shop-front"], Complete($"berth stack ps --kubeconfig {kubeconfig} ", kubernetes).Order(StringComparer.Ordinal));
        Assert.Equal(["shop-front"], Complete($"berth stack rm --kubeconfig {kubeconfig} shop-f", kubernetes));
        Assert.Equal(["shop-back"], Complete($"berth stack deploy -c {project.PathOf("shop-back.yaml")} --kubeconfig {kubeconfig} shop-b", kubernetes));
        Assert.Equal(["shop-back", "shop-front"], Complete($"berth stack diff --kubeconfig {kubeconfig} shop", kubernetes).Order(StringComparer.Ordinal));
        Assert.Equal(["shop-back", "shop-front"], Complete($"berth stack deploy --kubeconfig {kubeconfig} -c {project.PathOf("shop-back.yaml")} ", kubernetes).Order(StringComparer.Ordinal));
        Assert.Empty(Complete($"berth stack deploy --kubeconfig {kubeconfig} -c ", kubernetes)); // a file name: the shell completes it

        // --orchestrator on the line wins over the environment, as for the command itself.
        Assert.Equal(["shop-back", "shop-front"], Complete($"berth stack services --orchestrator kubernetes --kubeconfig {kubeconfig} ", s_closedEngine).Order(StringComparer.Ordinal));

        // Another namespace holds no stack.
        Assert.Empty(Complete($"berth stack ps -n other --kubeconfig {kubeconfig} ", kubernetes));
    }

    [Fact]
    public void ServiceNames_ComeFromTheComposeFileInTheCurrentFolder()
    {
        using var project = new TempProject(
            ("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n  worker:\n    image: busybox:1.36\n  db:\n    image: postgres:17\n    profiles: [debug]\n"));

        Assert.Equal(["name=web", "name=worker"], Process(project.Directory, "berth stack services demo --filter name="));
        Assert.Equal(["service=web", "service=worker"], Process(project.Directory, "berth stack ps demo --filter service=w"));
        Assert.Equal(["name=web"], Process(project.Directory, "berth stack ps demo --filter name=we"));

        // No Compose file (or a broken one): no candidates, no error.
        using var empty = new TempProject(("other.yaml", "services: [\n"));
        Assert.Empty(Process(empty.Directory, "berth stack ps demo --filter name="));
    }

    [Fact]
    public void AMalformedLine_GivesNoCandidates_NotAnError()
    {
        Assert.Empty(Complete("berth"));
        Assert.Empty(Complete(string.Empty));
        Assert.Empty(Complete("berth stack ps \"unterminated"));
    }

    [Theory]
    [InlineData("bash", "complete -o default -F _berth_completion berth")]
    [InlineData("zsh", "compdef _berth berth")]
    [InlineData("fish", "complete -c berth -f -a '(__berth_complete)'")]
    [InlineData("pwsh", "Register-ArgumentCompleter -Native -CommandName berth")]
    public void Script_RegistersForBerth_AndCallsBackForCandidates(string shell, string registration)
    {
        var (code, stdout, stderr) = CliRunner.Run("completion", shell);

        Assert.True(code == 0, stderr);
        Assert.Contains(registration, stdout, StringComparison.Ordinal);
        Assert.Contains("completion __complete", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Pwsh_Script_PassesTheLineUpToTheCursor_AndMakesCompletionResults()
    {
        // No pwsh on this machine: the script's text is checked instead of running it.
        var script = CliRunner.Run("completion", "pwsh").Stdout;

        Assert.Contains("param($wordToComplete, $commandAst, $cursorPosition)", script, StringComparison.Ordinal);
        Assert.Contains("$line.Substring(0, $offset)", script, StringComparison.Ordinal);
        Assert.Contains("& $program completion __complete $line", script, StringComparison.Ordinal);
        Assert.Contains("[System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)", script, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_SaysHowToInstallEachScript()
    {
        var (code, stdout, _) = CliRunner.Run("completion", "--help");

        Assert.Equal(0, code);
        Assert.Contains("source <(berth completion bash)", stdout, StringComparison.Ordinal);
        Assert.Contains("source <(berth completion zsh)", stdout, StringComparison.Ordinal);
        Assert.Contains("berth completion fish | source", stdout, StringComparison.Ordinal);
        Assert.Contains("berth completion pwsh | Out-String | Invoke-Expression", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("__complete", CliRunner.Run("--help").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownShell_IsAUsageError()
    {
        var (code, _, stderr) = CliRunner.Run("completion", "tcsh");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("tcsh", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs berth.dll (copied next to the tests) in <paramref name="workingDirectory"/>, for the default Compose file.</summary>
    private static string[] Process(string workingDirectory, string line)
    {
        var result = ToolProcess.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "berth.dll"), "completion", "__complete", line], workingDirectory, timeout: TimeSpan.FromMinutes(1), withoutAmbient: true);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Empty, result.Stderr);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

}
