using System.Collections.Immutable;
using System.CommandLine;
using Berth.Cli.Output;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Model;

namespace Berth.Cli.Commands;

/// <summary>The options that say which Compose project to load, shared by every command that loads one.</summary>
internal sealed class ProjectOptions
{
    public Option<string[]> Files { get; } = new("--compose-file", "-c", "-f")
    {
        Description = "Compose file to load ('-' reads standard input); repeat to merge several (default: compose.yaml and its override, or COMPOSE_FILE)",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> ProjectName { get; } = new("--project-name", "-p") { Description = "Project name (default: COMPOSE_PROJECT_NAME, the 'name' key, or the folder name)" };

    public Option<string?> ProjectDirectory { get; } = new("--project-directory") { Description = "Folder that relative paths are resolved against (default: the first file's folder)" };

    public Option<string[]> EnvFiles { get; } = new("--env-file") { Description = "Read variables from this file instead of the project's .env; repeatable" };

    public Option<string[]> Profiles { get; } = new("--profile") { Description = "Enable services of this profile; repeatable (default: COMPOSE_PROFILES)" };

    public Option<bool> NoInterpolate { get; } = new("--no-interpolate") { Description = "Do not substitute ${VARIABLES}" };

    /// <summary>Only for commands that print the project: skipping these checks can make it undeployable.</summary>
    public Option<bool> NoConsistency { get; } = new("--no-consistency") { Description = "Do not check references between services, networks, volumes, secrets and configs (the output may not deploy)" };

    private bool _consistencyOptional;

    /// <param name="command">The command that loads a project.</param>
    /// <param name="consistencyOptional">Adds <c>--no-consistency</c> (only for commands that print the project).</param>
    /// <param name="namedByStack">The stack verbs: the STACK argument is the project name, so <c>-p</c> is refused (and hidden from help).</param>
    public void AddTo(Command command, bool consistencyOptional = false, bool namedByStack = false)
    {
        _consistencyOptional = consistencyOptional;
        ProjectName.Hidden = namedByStack;
        if (consistencyOptional)
        {
            command.Options.Add(NoConsistency);
        }

        command.Options.Add(Files);
        command.Options.Add(ProjectName);
        command.Options.Add(ProjectDirectory);
        command.Options.Add(EnvFiles);
        command.Options.Add(Profiles);
        command.Options.Add(NoInterpolate);
    }

    public LoadOptions ToLoadOptions(ParseResult parse) => new()
    {
        Files = [.. parse.GetValue(Files) ?? []],
        ProjectName = parse.GetValue(ProjectName),
        ProjectDirectory = parse.GetValue(ProjectDirectory),
        EnvFiles = [.. parse.GetValue(EnvFiles) ?? []],
        Profiles = [.. (parse.GetValue(Profiles) ?? []).SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries))],
        Interpolate = !parse.GetValue(NoInterpolate),
        CheckConsistency = !(_consistencyOptional && parse.GetValue(NoConsistency)),
        Environment = (parse.RootCommandResult.Command as BerthRootCommand)?.Variables is { } variables ? variables.ToImmutableDictionary(StringComparer.Ordinal) : LoadOptions.ProcessEnvironment(),
        StandardInput = (parse.RootCommandResult.Command as BerthRootCommand)?.Input,
    };

    /// <summary>Loads the project and prints the loader's diagnostics; null (after a summary line) when loading failed.</summary>
    public ComposeProject? Load(ParseResult parse, string commandName, CancellationToken cancellationToken)
    {
        var result = ProjectLoader.Load(ToLoadOptions(parse), cancellationToken);
        var stderr = parse.InvocationConfiguration.Error;
        DiagnosticPrinter.Print(stderr, result.Diagnostics);
        if (result.Succeeded && result.Project is not null)
        {
            return result.Project;
        }

        var errors = result.Diagnostics.Count(d => d.Severity == Severity.Error);
        stderr.WriteLine($"berth {commandName}: {errors} error{(errors == 1 ? string.Empty : "s")}; nothing printed");
        return null;
    }
}
