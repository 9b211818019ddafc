using System.CommandLine;
using System.Globalization;
using Berth.Swarm.Apply;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack ps</c>: the stack's tasks, with <c>--no-trunc</c> and docker's <c>--filter</c> keys.</summary>
internal static class StackPsCommand
{
    private const string HistoryMarker = " \\_ ";

    private static readonly string[] s_filterKeys = ["id", "name", "node", "desired-state", "service", "label"];

    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var format = ListingFormat.Option();
        var noTrunc = new Option<bool>("--no-trunc") { Description = "Do not truncate IDs and errors" };
        var filter = StackOptions.Filter("Filter output (name=, desired-state=running|shutdown|accepted, node=, id=, service=, label=; Kubernetes: id=, name=, node=, service=); repeatable");
        var command = new Command("ps", "List the tasks (Swarm) or pods (Kubernetes) of a stack") { name, format, noTrunc, filter };
        var target = new OrchestratorOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            var full = parse.GetValue(noTrunc);
            if (!StackOptions.CheckStackNames(stderr, "ps", [stackName], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "ps", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            var kubernetes = resolved.Orchestrator == Orchestration.Orchestrator.Kubernetes;
            if (ListingFormat.Parse(parse, format, stderr, "ps", kubernetes ? TaskRow.KubernetesTable : TaskRow.SwarmTable, kubernetes ? TaskRow.KubernetesFields : TaskRow.SwarmFields) is not { } output)
            {
                return ExitCodes.Usage;
            }

            if (kubernetes)
            {
                var (clientFilters, filterError) = ClientFilters.Parse(stackName, parse.GetValue(filter) ?? [], KubernetesStackReads.PodFilterKeys);
                if (clientFilters is null)
                {
                    stderr.WriteLine($"berth stack ps: {filterError}");
                    return ExitCodes.Usage;
                }

                return await KubernetesAction.RunAsync(stderr, "ps", resolved, environment, async cluster =>
                    Print(stdout, stderr, stackName, await KubernetesStackReads.PodsAsync(cluster, stackName, clientFilters, full, cancellationToken).ConfigureAwait(false), output, history: false)).ConfigureAwait(false);
            }

            var (filters, error) = StackFilters.Build(stackName, parse.GetValue(filter) ?? [], s_filterKeys);
            if (filters is null)
            {
                stderr.WriteLine($"berth stack ps: {error}");
                return ExitCodes.Usage;
            }

            return await EngineAction.RunAsync(stderr, "ps", environment, async client =>
            {
                // The engine resolves node names and checks desired-state values itself, as for docker stack ps.
                var tasks = await SwarmEngine.CallAsync(client, c => c.Tasks.ListAsync(new TasksListParameters { Filters = filters }, cancellationToken)).ConfigureAwait(false);
                var services = await SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters { Filters = StackOwnership.StackFilter(stackName) }, cancellationToken)).ConfigureAwait(false);
                var nodes = await SwarmEngine.CallAsync(client, c => c.Swarm.ListNodesAsync(cancellationToken)).ConfigureAwait(false);
                var serviceNames = services.Where(s => StackOwnership.Owned(s.Spec?.Labels, stackName)).ToDictionary(s => s.ID, s => s.Spec?.Name ?? s.ID, StringComparer.Ordinal);
                var nodeNames = nodes.ToDictionary(n => n.ID, n => n.Description?.Hostname ?? n.ID, StringComparer.Ordinal);
                var now = DateTime.UtcNow;
                var rows = tasks
                    .Where(t => t.ServiceID is not null && serviceNames.ContainsKey(t.ServiceID))
                    .Select(t => new TaskRow(
                        full ? t.ID : t.ID[..Math.Min(12, t.ID.Length)],
                        $"{serviceNames[t.ServiceID!]}.{(t.Slot is > 0 ? t.Slot.Value.ToString(CultureInfo.InvariantCulture) : t.NodeID)}",
                        full ? t.Spec?.ContainerSpec?.Image ?? string.Empty : SwarmListing.Image(t.Spec?.ContainerSpec?.Image),
                        t.NodeID is not null && nodeNames.TryGetValue(t.NodeID, out var node) ? node : string.Empty,
                        SwarmListing.State(t.DesiredState),
                        SwarmListing.CurrentState(t.Status?.State, t.Status?.Timestamp, now),
                        full ? t.Status?.Err ?? string.Empty : SwarmListing.Ellipsis(t.Status?.Err ?? string.Empty, 30),
                        string.Join(", ", (t.Status?.PortStatus?.Ports ?? []).Select(p => $"*:{p.PublishedPort}->{p.TargetPort}/{p.Protocol}")),
                        t.CreatedAt,
                        t.UpdatedAt))
                    .ToList();
                return Print(stdout, stderr, stackName, rows, output, history: true);
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>
    /// Prints the rows sorted as docker does (by NAME, then newest first). With <paramref name="history"/> (Swarm) the
    /// older tasks of a slot follow its current one and, in table form, their NAME starts with docker's <c> \_ </c>.
    /// </summary>
    private static int Print(TextWriter stdout, TextWriter stderr, string stackName, List<TaskRow> rows, Output.GoTemplateFormat format, bool history)
    {
        if (rows.Count == 0)
        {
            stderr.WriteLine($"nothing found in stack: {stackName}");
            return ExitCodes.InvalidInput;
        }

        var ordered = history ? [.. rows.OrderBy(r => r.Name, StringComparer.Ordinal).ThenByDescending(r => r.CreatedAt)] : rows;
        var fields = new List<IReadOnlyDictionary<string, string>>(ordered.Count);
        string? previous = null;
        foreach (var row in ordered)
        {
            fields.Add(row.ToFields(history && format.IsTable && row.Name == previous ? HistoryMarker + row.Name : row.Name));
            previous = row.Name;
        }

        format.Write(stdout, fields);
        return ExitCodes.Success;
    }
}
