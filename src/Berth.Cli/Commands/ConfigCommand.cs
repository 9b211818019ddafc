using System.CommandLine;
using Berth.Compose.Output;

namespace Berth.Cli.Commands;

/// <summary><c>berth config</c>: prints the canonical merged project, like <c>docker compose config</c>.</summary>
internal static class ConfigCommand
{
    public static Command Create(GlobalOptions global)
    {
        var project = new ProjectOptions();
        var output = new Option<string>("--output", "-o") { Description = "Output format", DefaultValueFactory = _ => "yaml" };
        output.AcceptOnlyFromAmong("yaml", "json");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only validate; print nothing but problems" };
        var services = new Option<bool>("--services") { Description = "Print the service names, one per line" };

        var command = new Command("config", "Validate Compose files and print the canonical merged project");
        project.AddTo(command, consistencyOptional: true);
        command.Options.Add(output);
        command.Options.Add(quiet);
        command.Options.Add(services);

        command.SetAction((parse, cancellationToken) =>
        {
            var loaded = project.Load(parse, "config", cancellationToken);
            if (loaded is null)
            {
                return Task.FromResult(ExitCodes.InvalidInput);
            }

            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(quiet))
            {
                return Task.FromResult(ExitCodes.Success);
            }

            if (parse.GetValue(services))
            {
                foreach (var name in loaded.ServiceNames.Order(StringComparer.Ordinal))
                {
                    stdout.WriteLine(name);
                }

                return Task.FromResult(ExitCodes.Success);
            }

            stdout.Write(parse.GetValue(output) == "json"
                ? CanonicalJsonWriter.Write(loaded.Root)
                : CanonicalYamlWriter.Write(loaded.Root));
            _ = global;
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
