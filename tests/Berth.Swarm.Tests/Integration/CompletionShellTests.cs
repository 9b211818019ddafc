using System.Diagnostics;
using System.Text;
using Berth.Swarm.Tests.Support;
using Berth.Testing;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// The scripts of <c>berth completion bash|zsh|fish</c> in the REAL shells (installed by scripts/setup-shells.sh),
/// calling the real berth (a <c>berth</c> on PATH that runs berth.dll) against the REAL engine: a subcommand, a stack
/// this test deployed, and a service of the Compose file in the current folder. bash and zsh run the completion
/// function with the words set as the shell sets them; fish completes a command line itself (<c>complete -C</c>).
/// pwsh is not installed here (its script is checked as text in Berth.Cli.Tests).
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class CompletionShellTests : IDisposable
{
    private const string Compose = """
        services:
          frontend:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 1s
          backend:
            image: berth-test/busybox:1
            command: ["sleep", "3600"]
            stop_grace_period: 1s
        """;

    private readonly string _bin;
    private readonly string _project;

    public CompletionShellTests()
    {
        Engine.RequireSwarmManager();
        _bin = Directory.CreateTempSubdirectory("berth-completion-bin-").FullName;
        var wrapper = Path.Combine(_bin, "berth");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{TestPaths.BerthDll}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _project = SwarmEngineTests.WriteProject(Compose);
    }

    public void Dispose()
    {
        Directory.Delete(_bin, recursive: true);
        Directory.Delete(_project, recursive: true);
    }

    [Fact]
    public void Bash_CompletesSubcommands_StacksOfTheEngine_AndComposeServices()
    {
        var stack = Engine.NewStackName("cmp");
        try
        {
            Deploy(stack);

            Assert.Equal(["deploy"], Bash("berth stack de", "berth", "stack", "de"));
            Assert.Contains(stack, Bash("berth stack ps ", "berth", "stack", "ps", ""));
            Assert.Equal([stack], Bash($"berth stack rm {stack[..5]}", "berth", "stack", "rm", stack[..5]));

            // bash splits 'name=fr' into 'name' '=' 'fr' (COMP_WORDBREAKS): the reply replaces only 'fr'.
            Assert.Equal(["frontend"], Bash($"berth stack services {stack} --filter name=fr", "berth", "stack", "services", stack, "--filter", "name", "=", "fr"));
            Assert.Equal(["backend", "frontend"], Bash($"berth stack ps {stack} --filter service=", "berth", "stack", "ps", stack, "--filter", "service", "=", "").Order(StringComparer.Ordinal));
            Assert.Equal(["kubernetes"], Bash("berth stack ps --orchestrator=k", "berth", "stack", "ps", "--orchestrator", "=", "k"));

            // Without COMP_LINE (set by bash itself), the words are joined.
            Assert.Equal(["deploy"], Bash(null, "berth", "stack", "de"));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Zsh_CompletesSubcommands_StacksOfTheEngine_AndComposeServices()
    {
        var stack = Engine.NewStackName("cmp");
        try
        {
            Deploy(stack);

            Assert.Equal(["deploy"], Zsh("berth", "stack", "de"));
            Assert.Contains(stack, Zsh("berth", "stack", "ps", ""));
            Assert.Equal(["name=frontend"], Zsh("berth", "stack", "services", stack, "--filter", "name=fr"));
            Assert.Equal(["--orchestrator=kubernetes"], Zsh("berth", "stack", "ps", "--orchestrator=k"));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public void Fish_CompletesSubcommands_StacksOfTheEngine_AndComposeServices()
    {
        var stack = Engine.NewStackName("cmp");
        try
        {
            Deploy(stack);

            Assert.Equal(["deploy"], Fish("berth stack de"));
            Assert.Contains(stack, Fish("berth stack ps "));
            Assert.Equal(["name=frontend"], Fish($"berth stack services {stack} --filter name=fr"));
            Assert.Equal(["backend", "frontend"], Fish($"berth stack ps {stack} --filter service=").Select(c => c["service=".Length..]).Order(StringComparer.Ordinal));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    private void Deploy(string stack)
    {
        var deployed = Engine.DockerIn(_project, "stack", "deploy", "--detach=true", "--resolve-image", "never", "-c", "compose.yaml", stack);
        Assert.True(deployed.ExitCode == 0, deployed.ToString());
    }

    /// <summary>Sources the bash script and calls its function with COMP_WORDS/COMP_CWORD (and COMP_LINE/COMP_POINT unless null) as bash sets them; returns COMPREPLY.</summary>
    private string[] Bash(string? line, params string[] words)
    {
        var script = new StringBuilder("set -e\nsource <(berth completion bash)\n");
        script.Append("COMP_WORDS=(").AppendJoin(' ', words.Select(Quote)).Append(")\n");
        script.Append("COMP_CWORD=").Append(words.Length - 1).Append('\n');
        if (line is not null)
        {
            script.Append("COMP_LINE=").Append(Quote(line)).Append("\nCOMP_POINT=${#COMP_LINE}\n");
        }

        script.Append("_berth_completion\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n");
        return Shell("bash", "--noprofile", "--norc", "-c", script.ToString());
    }

    /// <summary>Sources the zsh script and calls its function with words/CURRENT as zsh sets them; compadd prints what it is given.</summary>
    private string[] Zsh(params string[] words)
    {
        var script = new StringBuilder("source <(berth completion zsh)\n");
        script.Append("compadd() { while [[ $1 != -- ]]; do shift; done; shift; print -l -- \"$@\"; }\n");
        script.Append("_files() { print -- '<files>'; }\n");
        script.Append("words=(").AppendJoin(' ', words.Select(Quote)).Append(")\n");
        script.Append("CURRENT=").Append(words.Length).Append('\n');
        script.Append("_berth\n");
        return Shell("zsh", "-f", "-c", script.ToString());
    }

    /// <summary>fish's own completion of a command line (<c>complete -C</c>), the script loaded; descriptions cut off.</summary>
    private string[] Fish(string line)
        => [.. Shell("fish", "--no-config", "-c", $"berth completion fish | source; complete -C{Quote(line)}").Select(l => l.Split('\t')[0])];

    private string[] Shell(string shell, params string[] args)
    {
        ToolResult result;
        try
        {
            // berth (on PATH through _bin) must not see the developer's COMPOSE_*, DOCKER_*, BERTH_* or KUBECONFIG.
            result = ToolProcess.Run(shell, args, _project, new Dictionary<string, string> { ["PATH"] = _bin + ":" + Environment.GetEnvironmentVariable("PATH") }, TimeSpan.FromMinutes(2), withoutAmbient: true);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{shell} could not be started; run 'bash scripts/setup-shells.sh' as root first");
            throw;
        }

        Assert.True(result.ExitCode == 0, $"{shell} exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
