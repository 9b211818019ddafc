using System.CommandLine;

namespace Berth.Cli.Commands.Stack;

/// <summary>Options and arguments several stack verbs share.</summary>
internal static class StackOptions
{
    public static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "Output format: table or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        return format;
    }

    public static Option<string> Orchestrator()
    {
        var orchestrator = new Option<string>("--orchestrator") { Description = "Orchestrator to use", DefaultValueFactory = _ => "swarm" };
        orchestrator.AcceptOnlyFromAmong("swarm");
        return orchestrator;
    }

    public static Argument<string> StackName() => new("STACK") { Description = "Stack name" };

    public static Option<string[]> Filter(string description) => new("--filter", "-f") { Description = description };

    public static bool IsValidStackName(string name)
        => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
