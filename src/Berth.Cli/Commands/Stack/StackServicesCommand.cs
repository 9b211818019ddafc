using System.CommandLine;
using Berth.Swarm.Apply;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack services</c>: ID, NAME, MODE, REPLICAS, IMAGE, PORTS; <c>-q</c> and <c>--filter</c> as docker.</summary>
internal static class StackServicesCommand
{
    private static readonly string[] s_filterKeys = ["id", "label", "mode", "name"];

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

            if (resolved.Orchestrator == Orchestration.Orchestrator.Kubernetes)
            {
                var (clientFilters, filterError) = ClientFilters.Parse(stackName, parse.GetValue(filter) ?? [], KubernetesStackReads.ServiceFilterKeys);
                if (clientFilters is null)
                {
                    stderr.WriteLine($"berth stack services: {filterError}");
                    return ExitCodes.Usage;
                }

                return await KubernetesAction.RunAsync(stderr, "services", resolved, environment, async cluster =>
                {
                    Print(parse, stdout, stderr, stackName, await KubernetesStackReads.ServicesAsync(cluster, stackName, clientFilters, cancellationToken).ConfigureAwait(false), quiet, output);
                    return ExitCodes.Success;
                }).ConfigureAwait(false);
            }

            var (filters, error) = StackFilters.Build(stackName, parse.GetValue(filter) ?? [], s_filterKeys);
            if (filters is null)
            {
                stderr.WriteLine($"berth stack services: {error}");
                return ExitCodes.Usage;
            }

            return await EngineAction.RunAsync(stderr, "services", environment, async client =>
            {
                var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = filters, Status = true }, cancellationToken)).ConfigureAwait(false);
                var owned = services.Where(s => StackOwnership.Owned(s.Spec?.Labels, stackName)).ToList();

                // REPLICAS counts the current task of each slot, so only tasks desired running are read.
                var tasks = owned.Count == 0 ? [] : await SwarmEngine.CallAsync(client, c => c.Tasks.ListAsync(new TasksListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["service"] = owned.ToDictionary(s => s.ID, _ => true, StringComparer.Ordinal),
                        ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
                    },
                }, cancellationToken)).ConfigureAwait(false);
                var rows = owned
                    .OrderBy(s => s.Spec!.Name, StringComparer.Ordinal)
                    .Select(s => new ServiceRow(
                        s.ID[..Math.Min(12, s.ID.Length)],
                        s.Spec!.Name!,
                        ModeOf(s.Spec.Mode),
                        SwarmListing.Replicas(s, tasks),
                        SwarmListing.Image(s.Spec.TaskTemplate?.ContainerSpec?.Image),
                        SwarmListing.ServicePorts(s.Endpoint?.Ports)))
                    .ToList();
                Print(parse, stdout, stderr, stackName, rows, quiet, output);
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
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

    private static string ModeOf(ServiceMode? mode) => mode switch
    {
        { Global: not null } => "global",
        { ReplicatedJob: not null } => "replicated job",
        { GlobalJob: not null } => "global job",
        _ => "replicated",
    };
}
