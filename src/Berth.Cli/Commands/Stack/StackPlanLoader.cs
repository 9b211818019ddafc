using System.CommandLine;
using Berth.Cli.Output;
using Berth.Compose.Loading;
using Berth.Compose.Model;

namespace Berth.Cli.Commands.Stack;

/// <summary>Loads and validates the Compose project deploy and diff both need (the stack service converts it); prints diagnostics.</summary>
internal static class StackPlanLoader
{
    /// <summary>The validated project (before any orchestrator request), or an exit code when the name or the file is invalid.</summary>
    public static (ComposeProject? Project, int ExitCode) LoadProject(ParseResult parse, ProjectOptions project, string stackName, string commandName, CancellationToken cancellationToken)
    {
        var stderr = parse.InvocationConfiguration.Error;
        if (!StackOptions.CheckStackNames(stderr, commandName, [stackName]))
        {
            return (null, ExitCodes.Usage);
        }

        // The stack name is the project name, so default resource names (<project>_<key>) are the stack's; a second name would be ignored.
        if (parse.GetResult(project.ProjectName) is { Implicit: false } given)
        {
            stderr.WriteLine($"berth stack {commandName}: {given.IdentifierToken?.Value ?? "--project-name"} is not accepted here: the stack name is the project name");
            stderr.WriteLine($"hint: drop it; the stack is named by the STACK argument ('{stackName}')");
            return (null, ExitCodes.Usage);
        }

        var loadOptions = project.ToLoadOptions(parse) with { ProjectName = stackName };
        var loaded = ProjectLoader.Load(loadOptions, cancellationToken);
        DiagnosticPrinter.Print(stderr, loaded.Diagnostics);
        if (!loaded.Succeeded || loaded.Project is null)
        {
            stderr.WriteLine($"berth stack {commandName}: the Compose file has errors; nothing was changed");
            return (null, ExitCodes.InvalidInput);
        }

        return (loaded.Project, ExitCodes.Success);
    }
}
