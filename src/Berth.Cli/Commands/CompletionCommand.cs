using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth completion bash|zsh|fish|pwsh</c> prints a script to source. The script calls back
/// <c>berth completion __complete LINE</c>, which asks System.CommandLine for the candidates at the end of LINE
/// (subcommands, flags and fixed values come from the command tree itself) after attaching the dynamic ones: stack
/// names through <c>stack ls</c>, Compose service names through <c>config --services</c>. They are attached only
/// there, so no other command does any work for completion.
/// </summary>
internal static class CompletionCommand
{
    /// <summary>
    /// How long a stack listing may take before completion gives up and offers nothing: an unreachable cluster or
    /// engine can take a TCP timeout to fail. A listing that answers takes milliseconds.
    /// </summary>
    private static readonly TimeSpan s_listingDeadline = TimeSpan.FromSeconds(5);

    private static readonly string[] s_shells = ["bash", "zsh", "fish", "pwsh"];

    private static readonly string[] s_orchestrators = ["swarm", "kubernetes"];

    private static readonly string[] s_orchestratorsOrAll = ["swarm", "kubernetes", "all"];

    private static readonly string[] s_clusterFlags = ["--orchestrator", "--namespace", "--context", "--kubeconfig"];

    private static readonly string[] s_projectFlags = ["--compose-file", "--project-directory", "--env-file", "--profile"];

    private const string Install = """
        bash, zsh, fish or pwsh. To load the completion:
          bash:  source <(berth completion bash)                          (or save it as /etc/bash_completion.d/berth)
          zsh:   source <(berth completion zsh)                           (after compinit; or save it as _berth in a folder of $fpath)
          fish:  berth completion fish | source                           (or save it as ~/.config/fish/completions/berth.fish)
          pwsh:  berth completion pwsh | Out-String | Invoke-Expression   (add the line to $PROFILE)
        """;

    public static Command Create(Func<string, string?> environment)
    {
        var shell = new Argument<string>("SHELL") { Description = Install };
        shell.AcceptOnlyFromAmong(s_shells);
        var line = new Argument<string>("LINE") { Description = "The command line up to the cursor, program name first" };
        var complete = new Command("__complete", "Print the completion candidates for LINE, one per line (called by the scripts)") { line };
        complete.Hidden = true;
        complete.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            foreach (var candidate in Candidates(parse.RootCommandResult.Command, parse.GetValue(line) ?? string.Empty, environment))
            {
                output.WriteLine(candidate);
            }

            return ExitCodes.Success;
        });

        var command = new Command("completion", "Print a shell completion script (subcommands, flags and their values, stack names, Compose service names)") { shell, complete };
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.Write(CompletionScripts.For(parse.GetValue(shell)!));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The candidates for the last word of <paramref name="line"/>, each as the whole shell word it would replace (so a
    /// value completed after <c>--orchestrator=</c> keeps that prefix), filtered by what is already typed. Flags are
    /// offered once a '-' is typed, as git and docker do. Any failure gives no candidates: completion never prints errors.
    /// </summary>
    internal static IReadOnlyList<string> Candidates(Command root, string line, Func<string, string?> environment)
    {
        try
        {
            return Complete(root, line, environment);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return [];
        }
    }

    private static string[] Complete(Command root, string line, Func<string, string?> environment)
    {
        // The first word is the program as typed (berth, ./berth, a path): the tree starts after it.
        var start = line.TrimStart();
        var space = start.IndexOfAny([' ', '\t']);
        if (space < 0)
        {
            return [];
        }

        var text = start[(space + 1)..];
        var shellWord = text[(text.LastIndexOfAny([' ', '\t']) + 1)..];
        var prefix = string.Empty;
        var eq = shellWord.IndexOf('=', StringComparison.Ordinal);
        if (shellWord.StartsWith('-') && eq > 0)
        {
            // '--flag=val' is completed as '--flag val', and the candidates keep '--flag='.
            prefix = shellWord[..(eq + 1)];
            text = string.Concat(text.AsSpan(0, text.Length - shellWord.Length), shellWord.AsSpan(0, eq), " ", shellWord.AsSpan(eq + 1));
        }

        AttachDynamicSources(root, environment);
        var parse = root.Parse(text);
        var context = parse.GetCompletionContext();
        var word = (context is TextCompletionContext textContext ? textContext.AtCursorPosition(text.Length) : context).WordToComplete;
        var labels = parse.GetCompletions(text.Length).Select(item => item.InsertText ?? item.Label).ToList();

        // After a flag that takes several values ('-c FILE'), System.CommandLine keeps completing that flag's values
        // and offers nothing for STACK: the stack names are asked for directly when the word is not a flag's value.
        if (labels.Count == 0 && !word.StartsWith('-') && parse.CommandResult.Command.Arguments.Any(a => a.Name == "STACK") && !IsFlagValue(parse.CommandResult.Command, text))
        {
            labels.AddRange(StackNames(parse, environment));
        }

        return [.. labels
            .Where(label => label.StartsWith(word, StringComparison.Ordinal)
                && (word.StartsWith('-') || !label.StartsWith('-'))
                && label is not ("-?" or "/?" or "/h"))
            .Select(label => prefix + label)
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Whether the last word of <paramref name="text"/> is the value of the flag before it (a flag of <paramref name="command"/> that takes a value).</summary>
    private static bool IsFlagValue(Command command, string text)
    {
        var words = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var newWord = text.Length == 0 || char.IsWhiteSpace(text[^1]);
        var previous = newWord ? words.LastOrDefault() : words.Length > 1 ? words[^2] : null;
        return previous is not null && previous.StartsWith('-') && !previous.Contains('=', StringComparison.Ordinal)
            && command.Options.FirstOrDefault(o => o.Name == previous || o.Aliases.Contains(previous)) is { } option
            && option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;
    }

    /// <summary>Adds the candidates the tree cannot know by itself; called once per completion request, never at start-up.</summary>
    private static void AttachDynamicSources(Command root, Func<string, string?> environment)
    {
        foreach (var (command, parent) in Walk(root, null))
        {
            foreach (var argument in command.Arguments.Where(a => a.Name == "STACK"))
            {
                argument.CompletionSources.Add(context => StackNames(context.ParseResult, environment));
            }

            foreach (var option in command.Options)
            {
                switch (option.Name)
                {
                    case "--orchestrator":
                        option.CompletionSources.Add(option.HelpName?.Contains("all", StringComparison.Ordinal) == true ? s_orchestratorsOrAll : s_orchestrators);
                        break;
                    case "--format" when parent?.Name == "stack" && command.Name is "ls" or "services" or "ps":
                        option.CompletionSources.Add("table", "json");
                        break;
                    case "--filter" when parent?.Name == "stack" && command.Name is "services" or "ps":
                        var ps = command.Name == "ps";
                        option.CompletionSources.Add(context => Filters(context, environment, ps));
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private static IEnumerable<(Command Command, Command? Parent)> Walk(Command command, Command? parent)
    {
        yield return (command, parent);
        foreach (var sub in command.Subcommands)
        {
            foreach (var pair in Walk(sub, command))
            {
                yield return pair;
            }
        }
    }

    /// <summary>
    /// <c>--filter</c> of <c>stack ps|services</c>: the keys, fixed values, and the Compose file's services after
    /// <c>name=</c> (and <c>service=</c> for ps), which match <c>&lt;stack&gt;_&lt;service&gt;</c>.
    /// </summary>
    private static IEnumerable<string> Filters(CompletionContext context, Func<string, string?> environment, bool ps)
    {
        string[] keys = ps
            ? ["desired-state=running", "desired-state=shutdown", "desired-state=accepted", "id=", "label=", "name=", "node=", "service="]
            : ["id=", "label=", "mode=global", "mode=replicated", "name="];
        var eq = context.WordToComplete.IndexOf('=', StringComparison.Ordinal);
        var key = eq < 0 ? null : context.WordToComplete[..eq];
        if (key is "name" || (ps && key is "service"))
        {
            return ServiceNames(context, environment).Select(name => $"{key}={name}");
        }

        return keys;
    }

    /// <summary>Stack names as <c>berth stack ls</c> lists them, with the orchestrator and cluster flags given on the line; nothing on any error.</summary>
    private static IEnumerable<string> StackNames(ParseResult parse, Func<string, string?> environment)
    {
        List<string> args = ["stack", "ls", "--format", "{{.Name}}"];
        foreach (var (flag, values) in GivenValues(parse, s_clusterFlags))
        {
            args.AddRange(values.SelectMany(v => (string[])[flag, v]));
        }

        return RunQuietly(args, environment, s_listingDeadline);
    }

    /// <summary>The services of the Compose file given on the line (else the default one) as <c>berth config --services</c> prints them; nothing on any error.</summary>
    private static IEnumerable<string> ServiceNames(CompletionContext context, Func<string, string?> environment)
    {
        List<string> args = ["config", "--services", "--no-consistency"];
        foreach (var (flag, values) in GivenValues(context.ParseResult, s_projectFlags))
        {
            // '-c -' would read the terminal's standard input.
            if (flag == "--compose-file" && values.Contains("-"))
            {
                return [];
            }

            args.AddRange(values.SelectMany(v => (string[])[flag, v]));
        }

        return RunQuietly(args, environment, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The values given on the line for those of <paramref name="flags"/> the current command has.</summary>
    private static IEnumerable<(string Flag, string[] Values)> GivenValues(ParseResult parse, string[] flags)
    {
        foreach (var option in parse.CommandResult.Command.Options.Where(o => flags.Contains(o.Name)))
        {
            if (parse.GetResult(option) is OptionResult { Implicit: false } given && given.Tokens.Count > 0)
            {
                yield return (option.Name, [.. given.Tokens.Select(t => t.Value)]);
            }
        }
    }

    /// <summary>Runs a berth command line in-process and returns its output lines; an error, or no answer within the deadline, gives none.</summary>
    private static string[] RunQuietly(List<string> args, Func<string, string?> environment, TimeSpan deadline)
    {
        var output = new StringWriter();
        var run = Task.Run(() => BerthCommand.Run([.. args], output, TextWriter.Null, environment));

        // A run past the deadline is abandoned: the completion process exits when its candidates are printed.
        if (!run.Wait(deadline) || run.Result != ExitCodes.Success)
        {
            return [];
        }

        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
