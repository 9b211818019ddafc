using System.CommandLine;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack services</c>: ID, NAME, MODE, REPLICAS, IMAGE, PORTS; <c>-q</c> and <c>--filter</c> as docker.</summary>
internal static class StackServicesCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var format = ListingFormat.Option();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Only display IDs" };
        var filter = StackOptions.Filter("Filter output (id=, label=, mode=, name=; Kubernetes: id=, mode=, name=); repeatable");
        var command = new Command("services", "List the services of a stack") { name, format, quiet, filter };
        var target = new OrchestratorOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (!StackOptions.CheckStackNames(stderr, "services", [stackName], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "services", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            if (ListingFormat.Parse(parse, format, stderr, "services", ServiceRow.Table, ServiceRow.Fields) is not { } output)
            {
                return ExitCodes.Usage;
            }

            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "services", async () =>
            {
                var services = await service.ServicesAsync(stackName, parse.GetValue(filter) ?? [], cancellationToken).ConfigureAwait(false);
                var rows = services.Select(s => new ServiceRow(s.Id, s.Name, s.Mode, SwarmListing.Replicas(s.Replicas), s.Image, s.Ports)).ToList();
                Print(parse, stdout, stderr, stackName, rows, quiet, output);
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static void Print(ParseResult parse, TextWriter stdout, TextWriter stderr, string stackName, List<ServiceRow> rows, Option<bool> quiet, Output.GoTemplateFormat format)
    {
        if (rows.Count == 0 && !parse.GetValue(quiet))
        {
            stderr.WriteLine($"Nothing found in stack: {stackName}");
        }

        if (parse.GetValue(quiet))
        {
            foreach (var row in rows)
            {
                stdout.WriteLine(row.Id);
            }
        }
        else if (rows.Count > 0 || !format.IsTable)
        {
            format.Write(stdout, rows.Select(r => r.ToFields()));
        }
    }
}
