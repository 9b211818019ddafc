using System.Collections.Immutable;
using System.CommandLine;
using Berth.Cli.Output;
using Berth.Compose.Loading;
using Berth.Compose.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth config</c>: prints the canonical merged project, like <c>docker compose config</c>.</summary>
internal static class ConfigCommand
{
    public static Command Create(GlobalOptions global)
    {
        var files = new Option<string[]>("--compose-file", "-c", "-f")
        {
            Description = "Compose file to load; repeat to merge several (default: compose.yaml and its override, or COMPOSE_FILE)",
            AllowMultipleArgumentsPerToken = false,
        };
        var projectName = new Option<string?>("--project-name", "-p") { Description = "Project name (default: COMPOSE_PROJECT_NAME, the 'name' key, or the folder name)" };
        var projectDirectory = new Option<string?>("--project-directory") { Description = "Folder that relative paths are resolved against (default: the first file's folder)" };
        var envFiles = new Option<string[]>("--env-file") { Description = "Read variables from this file instead of the project's .env; repeatable" };
        var profiles = new Option<string[]>("--profile") { Description = "Enable services of this profile; repeatable (default: COMPOSE_PROFILES)" };
        var noInterpolate = new Option<bool>("--no-interpolate") { Description = "Do not substitute ${VARIABLES}" };
        var noConsistency = new Option<bool>("--no-consistency") { Description = "Do not check references between services, networks, volumes, secrets and configs (the output may not deploy)" };
        var output = new Option<string>("--output", "-o") { Description = "Output format", DefaultValueFactory = _ => "yaml" };
        output.AcceptOnlyFromAmong("yaml", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only validate; print nothing but problems" };
        var services = new Option<bool>("--services") { Description = "Print the service names, one per line" };

        var command = new Command("config", "Validate Compose files and print the canonical merged project")
        {
            files, projectName, projectDirectory, envFiles, profiles, noInterpolate, noConsistency, output, quiet, services,
        };

        command.SetAction((parse, cancellationToken) =>
        {
            var options = new LoadOptions
            {
                Files = [.. parse.GetValue(files) ?? []],
                ProjectName = parse.GetValue(projectName),
                ProjectDirectory = parse.GetValue(projectDirectory),
                EnvFiles = [.. parse.GetValue(envFiles) ?? []],
                Profiles = [.. (parse.GetValue(profiles) ?? []).SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries))],
                Interpolate = !parse.GetValue(noInterpolate),
                CheckConsistency = !parse.GetValue(noConsistency),
                Environment = LoadOptions.ProcessEnvironment(),
            };

            var result = ProjectLoader.Load(options, cancellationToken);
            var stderr = parse.InvocationConfiguration.Error;
            DiagnosticPrinter.Print(stderr, result.Diagnostics);
            if (!result.Succeeded || result.Project is null)
            {
                var errors = result.Diagnostics.Count(d => d.Severity == Compose.Diagnostics.Severity.Error);
                stderr.WriteLine($"berth config: {errors} error{(errors == 1 ? string.Empty : "s")}; nothing printed");
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(quiet))
            {
                return Task.FromResult(ExitCodes.Success);
            }

            if (parse.GetValue(services))
            {
                foreach (var name in result.Project.ServiceNames.Order(StringComparer.Ordinal))
                {
                    stdout.WriteLine(name);
                }

                return Task.FromResult(ExitCodes.Success);
            }

            stdout.Write(parse.GetValue(output) == "json"
                ? CanonicalJsonWriter.Write(result.Project.Root)
                : CanonicalYamlWriter.Write(result.Project.Root));
            _ = global;
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    internal static ImmutableArray<string> Split(string value) => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)];
}
