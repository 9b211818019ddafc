using System.CommandLine;
using Berth.Cli.Commands;
using Berth.Cli.Commands.Stack;

namespace Berth.Cli;

/// <summary>The root command; carries what the commands read besides arguments (standard input for <c>-c -</c>).</summary>
internal sealed class BerthRootCommand(string description, TextReader? input) : RootCommand(description)
{
    /// <summary>Read for the Compose file <c>-</c>; null means the process's standard input.</summary>
    public TextReader? Input { get; } = input;
}

/// <summary>Builds the <c>berth</c> command tree.</summary>
internal static class BerthCommand
{
    public static RootCommand Create() => Create(Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads environment variables (orchestrator choice, config file, kubeconfig); tests pass their own.</param>
    /// <param name="input">Standard input for <c>-c -</c>; null means the process's.</param>
    public static RootCommand Create(Func<string, string?> environment, TextReader? input = null)
    {
        var global = new GlobalOptions();
        var root = new BerthRootCommand("Berth runs Docker Compose applications on Kubernetes or Docker Swarm.", input)
        {
            global.Verbose,
            ConfigCommand.Create(global),
            ConvertCommand.Create(global),
            StackCommand.Create(global, environment),
        };
        return root;
    }

    /// <summary>Parses and runs; internal errors become a one-line message unless --verbose is given.</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
        => Run(args, output, error, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Run(string[], TextWriter?, TextWriter?)"/> with the environment read through <paramref name="environment"/> and standard input from <paramref name="input"/>.</summary>
    public static int Run(string[] args, TextWriter? output, TextWriter? error, Func<string, string?> environment, TextReader? input = null)
    {
        var root = Create(environment, input);
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                configuration.Error.WriteLine($"berth: {parseError.Message}");
            }

            configuration.Error.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return parse.Invoke(configuration);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            var verbose = parse.GetValue<bool>("--verbose");
            configuration.Error.WriteLine(verbose ? ex.ToString() : $"berth: internal error: {ex.Message} (rerun with --verbose for details)");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The full command path, e.g. <c>berth stack ls</c>, as the user would type it.</summary>
    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (System.CommandLine.Parsing.SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is System.CommandLine.Parsing.CommandResult command)
            {
                names.Add(command.Parent is null ? "berth" : command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
