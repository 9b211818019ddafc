using System.Collections;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// Runs the berth command tree in-process with captured output. berth sees only the environment the runner gives
/// it (never the process's directly): the test process's variables without the developer's COMPOSE_*, DOCKER_*,
/// BERTH_* and KUBECONFIG (<see cref="ToolProcess.IsAmbient"/>), or exactly what the test passes.
/// </summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunWith(Inherited(), args);

    /// <summary>Runs with only <paramref name="environment"/> visible (the process environment is neither read nor changed).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
        => Invoke(environment, null, args);

    /// <summary>Runs with <paramref name="input"/> as standard input (for <c>-c -</c>) and the inherited environment.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWithInput(string input, params string[] args)
    {
        using var stdin = new StringReader(input);
        return Invoke(Inherited(), stdin, args);
    }

    /// <summary>The test process's environment without the developer's settings that would steer berth.</summary>
    public static Dictionary<string, string> Inherited()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            if (!ToolProcess.IsAmbient(name))
            {
                result[name] = (string?)entry.Value ?? string.Empty;
            }
        }

        return result;
    }

    private static (int ExitCode, string Stdout, string Stderr) Invoke(IReadOnlyDictionary<string, string> environment, TextReader? input, string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = BerthCommand.Run(args, stdout, stderr, environment, input);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
