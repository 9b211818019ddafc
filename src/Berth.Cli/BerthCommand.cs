using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Berth.Cli.Commands;
using Berth.Cli.Commands.Policy;
using Berth.Cli.Commands.Stack;

namespace Berth.Cli;

/// <summary>
/// The root command; carries what the commands read besides arguments (standard input for <c>-c -</c>).
/// </summary>
/// <remarks>
/// A plain <see cref="Command"/> with its own <c>--help</c> and <c>--version</c>, not System.CommandLine's
/// <see cref="RootCommand"/>: that one's HelpOption and VersionOption read their descriptions through a
/// ResourceManager, whose first use initialises reflection and probes for satellite assemblies, about a twentieth of
/// every command's start in a Native AOT binary. The texts are the library's English ones; help output is unchanged.
/// </remarks>
internal sealed class BerthRootCommand : Command
{
    public BerthRootCommand(string description, TextReader? input, IReadOnlyDictionary<string, string>? variables)
        : base("berth", description)
    {
        Input = input;
        Variables = variables;
        Help = new Option<bool>("--help", "-h", "/h", "-?", "/?")
        {
            Description = "Show help and usage information",
            Arity = ArgumentArity.Zero,
            Recursive = true,
            Action = new PrintHelp(),
        };
        Version = new Option<bool>("--version") { Description = "Show version information", Arity = ArgumentArity.Zero, Action = new PrintVersion() };
    }

    /// <summary>Read for the Compose file <c>-</c>; null means the process's standard input.</summary>
    public TextReader? Input { get; }

    /// <summary>The environment the Compose loader sees (interpolation, COMPOSE_*); null means the process's.</summary>
    public IReadOnlyDictionary<string, string>? Variables { get; }

    /// <summary>Adds <c>--help</c> and <c>--version</c> after the other root options, where the library put them in help.</summary>
    public void AddHelpAndVersion()
    {
        Options.Add(Help);
        Options.Add(Version);
    }

    /// <summary><c>--help</c>, on every command: help wins over any parse error, as with the library's own option.</summary>
    public Option<bool> Help { get; }

    /// <summary><c>--version</c>: prints the version and nothing else.</summary>
    public Option<bool> Version { get; }

    /// <summary>The library's help, marked (as its own help option is) to run in spite of parse errors.</summary>
    private sealed class PrintHelp : SynchronousCommandLineAction
    {
        private readonly HelpAction _help = new();

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult) => _help.Invoke(parseResult);
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(BerthVersion.Informational);
            return 0;
        }
    }
}

/// <summary>Builds the <c>berth</c> command tree.</summary>
internal static class BerthCommand
{
    public static BerthRootCommand Create() => Create(Environment.GetEnvironmentVariable);

    /// <param name="environment">Reads environment variables (orchestrator choice, config file, kubeconfig); tests pass their own.</param>
    /// <param name="input">Standard input for <c>-c -</c>; null means the process's.</param>
    /// <param name="variables">The whole environment for the Compose loader; null means the process's.</param>
    public static BerthRootCommand Create(Func<string, string?> environment, TextReader? input = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        var global = new GlobalOptions();
        var root = new BerthRootCommand("Berth runs Docker Compose applications on Kubernetes or Docker Swarm.", input, variables)
        {
            global.Verbose,
            ConfigCommand.Create(global),
            ConvertCommand.Create(global),
            StackCommand.Create(global, environment),
            PolicyCommand.Create(environment),
            SystemCommand.Create(environment),
            CompletionCommand.Create(environment),
        };
        root.AddHelpAndVersion();
        return root;
    }

    /// <summary>Parses and runs; internal errors become a one-line message unless --verbose is given.</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
        => Run(args, output, error, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Run(string[], TextWriter?, TextWriter?)"/> with the environment read through <paramref name="environment"/> and standard input from <paramref name="input"/>.</summary>
    public static int Run(string[] args, TextWriter? output, TextWriter? error, Func<string, string?> environment, TextReader? input = null)
        => Run(args, output, error, environment, input, variables: null);

    /// <summary>As <see cref="Run(string[], TextWriter?, TextWriter?)"/> with <paramref name="environment"/> as the whole environment (the process's is not read).</summary>
    public static int Run(string[] args, TextWriter? output, TextWriter? error, IReadOnlyDictionary<string, string> environment, TextReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Run(args, output, error, name => environment.GetValueOrDefault(name), input, environment);
    }

    private static int Run(string[] args, TextWriter? output, TextWriter? error, Func<string, string?> environment, TextReader? input, IReadOnlyDictionary<string, string>? variables)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Create(environment, input, variables);
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        var parse = root.Parse(args);
        if (UsageError(parse) is { } usage)
        {
            configuration.Error.WriteLine($"berth: {usage}");
            configuration.Error.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        // A command group alone (bare 'berth', 'berth stack') shows its help, as docker does; 'berth --version' still prints the version.
        if (parse.CommandResult.Command is { Action: null, Subcommands.Count: > 0 } && !parse.GetValue(root.Version))
        {
            parse = root.Parse([.. args, "--help"]);
        }

        if (parse.Errors.Count > 0 && !parse.GetValue(root.Help))
        {
            foreach (var message in parse.Errors.Select(Describe).Distinct(StringComparer.Ordinal))
            {
                configuration.Error.WriteLine($"berth: {message}");
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

    /// <summary>
    /// The one usage error that explains the others, or null. System.CommandLine takes an unknown <c>--flag</c> as the
    /// value of an argument (so <c>rm --dry-run nuz</c> would remove two stacks): any value before <c>--</c> that
    /// starts with '-' (a lone '-' is standard input) is an unknown flag, reported before any action runs.
    /// </summary>
    private static string? UsageError(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-')
            {
                return $"unknown flag: {token.Value}";
            }
        }

        // 'berth frobnicate' is one mistake: report the unknown word only, not also the missing subcommand.
        if (parse.UnmatchedTokens.Count > 0)
        {
            var word = parse.UnmatchedTokens[0];
            var command = parse.CommandResult.Command;
            return command.Subcommands.Count > 0 && command.Action is null
                ? $"unknown command '{word}' for '{CommandPath(parse.CommandResult)}'"
                : $"unexpected argument '{word}'";
        }

        return null;
    }

    /// <summary>One line per error (System.CommandLine lists allowed values on several), naming the flag whose value is wrong.</summary>
    private static string Describe(ParseError error)
    {
        var message = string.Join(' ', error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        var flag = option?.IdentifierToken?.Value ?? option?.Option.Name;
        return flag is null || message.Contains(flag, StringComparison.Ordinal) ? message : $"{flag}: {message}";
    }

    /// <summary>The full command path, e.g. <c>berth stack ls</c>, as the user would type it.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Add(command.Parent is null ? "berth" : command.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
