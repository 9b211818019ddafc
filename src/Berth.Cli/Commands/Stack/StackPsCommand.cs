using System.CommandLine;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack ps</c>: the stack's tasks, with <c>--no-trunc</c> and docker's <c>--filter</c> keys.</summary>
internal static class StackPsCommand
{
    private const string HistoryMarker = " \\_ ";

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

            using var service = resolved.Open(environment);
            var restarts = service.Capabilities.TaskRestarts;
            if (ListingFormat.Parse(parse, format, stderr, "ps", restarts ? TaskRow.KubernetesTable : TaskRow.SwarmTable, restarts ? TaskRow.KubernetesFields : TaskRow.SwarmFields) is not { } output)
            {
                return ExitCodes.Usage;
            }

            return await StackAction.RunAsync(stderr, "ps", async () =>
            {
                var tasks = await service.TasksAsync(stackName, parse.GetValue(filter) ?? [], cancellationToken).ConfigureAwait(false);
                var now = DateTime.UtcNow;
                var rows = tasks.Select(t => new TaskRow(
                        full ? t.Id : t.Id[..Math.Min(12, t.Id.Length)],
                        t.Name,
                        full ? t.Image : t.ListedImage,
                        t.Node,
                        t.DesiredState,
                        SwarmListing.CurrentState(t.State, t.StateSince, now),
                        full ? t.Error : SwarmListing.Ellipsis(t.Error, 30),
                        t.Ports,
                        t.CreatedAt,
                        t.UpdatedAt)
                    {
                        Restarts = t.Restarts,
                    })
                    .ToList();
                return Print(stdout, stderr, stackName, rows, output, history: service.Capabilities.TaskHistory);
            }).ConfigureAwait(false);
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
