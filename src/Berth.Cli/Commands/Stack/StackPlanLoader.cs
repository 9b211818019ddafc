using System.CommandLine;
using Berth.Cli.Output;
using Berth.Compose.Loading;
using Berth.Swarm;
using Berth.Swarm.Convert;

namespace Berth.Cli.Commands.Stack;

/// <summary>Loads the Compose project and converts it for Swarm, as deploy and diff both need; prints diagnostics.</summary>
internal static class StackPlanLoader
{
    /// <summary>The plan, or an exit code when the name, the file or the conversion is invalid (nothing was changed).</summary>
    public static (SwarmPlan? Plan, int ExitCode) Load(ParseResult parse, ProjectOptions project, string stackName, string commandName, CancellationToken cancellationToken)
    {
        var stderr = parse.InvocationConfiguration.Error;
        if (!StackOptions.IsValidStackName(stackName))
        {
            stderr.WriteLine($"berth stack {commandName}: invalid stack name '{stackName}': use letters, digits, '-', '_' and '.'");
            return (null, ExitCodes.Usage);
        }

        // The stack name is the project name, so default resource names (<project>_<key>) are the stack's.
        var loadOptions = project.ToLoadOptions(parse);
        loadOptions = loadOptions with { ProjectName = loadOptions.ProjectName ?? stackName };
        var loaded = ProjectLoader.Load(loadOptions, cancellationToken);
        DiagnosticPrinter.Print(stderr, loaded.Diagnostics);
        if (!loaded.Succeeded || loaded.Project is null)
        {
            stderr.WriteLine($"berth stack {commandName}: the Compose file has errors; nothing was changed");
            return (null, ExitCodes.InvalidInput);
        }

        var plan = SwarmConverter.Convert(loaded.Project, new SwarmConvertOptions
        {
            Stack = stackName,
            Contents = ResourceContentReader.Read(loaded.Project),
        });
        DiagnosticPrinter.Print(stderr, plan.Diagnostics);
        if (plan.HasErrors)
        {
            stderr.WriteLine($"berth stack {commandName}: the stack cannot run on Swarm as written; nothing was changed");
            return (null, ExitCodes.InvalidInput);
        }

        return (plan, ExitCodes.Success);
    }
}
