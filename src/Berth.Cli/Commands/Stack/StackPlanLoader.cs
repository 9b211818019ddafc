using System.CommandLine;
using Berth.Cli.Output;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Kubernetes.Convert;
using Berth.Swarm.Convert;

namespace Berth.Cli.Commands.Stack;

/// <summary>Loads the Compose project and converts it for Swarm or Kubernetes, as deploy and diff both need; prints diagnostics.</summary>
internal static class StackPlanLoader
{
    /// <summary>The plan, or an exit code when the name, the file or the conversion is invalid (nothing was changed).</summary>
    public static (SwarmPlan? Plan, int ExitCode) Load(ParseResult parse, ProjectOptions project, string stackName, string commandName, CancellationToken cancellationToken)
    {
        var (loaded, exitCode) = LoadProject(parse, project, stackName, commandName, cancellationToken);
        if (loaded is null)
        {
            return (null, exitCode);
        }

        var stderr = parse.InvocationConfiguration.Error;
        var plan = SwarmConverter.Convert(loaded, new SwarmConvertOptions
        {
            Stack = stackName,
            Contents = Berth.Swarm.ResourceContentReader.Read(loaded),
        });
        DiagnosticPrinter.Print(stderr, plan.Diagnostics);
        if (plan.HasErrors)
        {
            stderr.WriteLine($"berth stack {commandName}: the stack cannot run on Swarm as written; nothing was changed");
            return (null, ExitCodes.InvalidInput);
        }

        return (plan, ExitCodes.Success);
    }

    /// <summary>The validated project (before any cluster request), or an exit code.</summary>
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

    /// <summary>Converts for Kubernetes into <paramref name="namespace"/>; null (diagnostics printed) when the stack cannot run there.</summary>
    public static KubernetesPlan? ConvertForKubernetes(TextWriter stderr, ComposeProject project, string stackName, string @namespace, KubernetesConvertOptions conversion, string commandName)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        var plan = KubernetesConverter.Convert(project, conversion with
        {
            Namespace = @namespace,
            StackName = stackName,
            FileContents = Berth.Kubernetes.Convert.ResourceContentReader.Read(project),
        });
        DiagnosticPrinter.Print(stderr, plan.Diagnostics);
        if (plan.HasErrors)
        {
            stderr.WriteLine($"berth stack {commandName}: the stack cannot run on Kubernetes as written; nothing was changed");
            return null;
        }

        return plan;
    }
}
