namespace Berth.Cli.Tests;

/// <summary>Runs the berth command tree in-process with captured output.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = BerthCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with only <paramref name="environment"/> visible (the process environment is neither read nor changed).</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = BerthCommand.Run(args, stdout, stderr, name => environment.TryGetValue(name, out var value) ? value : null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with <paramref name="input"/> as standard input (for <c>-c -</c>) and the process environment.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWithInput(string input, params string[] args)
    {
        using var stdin = new StringReader(input);
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var code = BerthCommand.Run(args, stdout, stderr, Environment.GetEnvironmentVariable, stdin);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
