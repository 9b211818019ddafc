using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Berth.Swarm.Apply;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack ps</c>: the stack's tasks, with <c>--no-trunc</c> and docker's <c>--filter</c> keys.</summary>
internal static class StackPsCommand
{
    private static readonly string[] s_filterKeys = ["id", "name", "node", "desired-state", "service", "label"];

    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var format = StackOptions.Format();
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

            if (resolved.Orchestrator == Orchestration.Orchestrator.Kubernetes)
            {
                var (clientFilters, filterError) = ClientFilters.Parse(stackName, parse.GetValue(filter) ?? [], KubernetesStackReads.PodFilterKeys);
                if (clientFilters is null)
                {
                    stderr.WriteLine($"berth stack ps: {filterError}");
                    return ExitCodes.Usage;
                }

                return await KubernetesAction.RunAsync(stderr, "ps", resolved, environment, async cluster =>
                    Print(stdout, stderr, stackName, await KubernetesStackReads.PodsAsync(cluster, stackName, clientFilters, full, cancellationToken).ConfigureAwait(false), parse.GetValue(format) == "json", restarts: true)).ConfigureAwait(false);
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
                var rows = tasks
                    .Where(t => t.ServiceID is not null && serviceNames.ContainsKey(t.ServiceID))
                    .OrderBy(t => serviceNames[t.ServiceID!], StringComparer.Ordinal).ThenBy(t => t.Slot).ThenByDescending(t => t.CreatedAt)
                    .Select(t => new TaskRow(
                        full ? t.ID : t.ID[..Math.Min(12, t.ID.Length)],
                        $"{serviceNames[t.ServiceID!]}.{(t.Slot is > 0 ? t.Slot.Value.ToString(CultureInfo.InvariantCulture) : t.NodeID)}",
                        t.Spec?.ContainerSpec?.Image is { } image && !full ? image.Split('@')[0] : t.Spec?.ContainerSpec?.Image ?? string.Empty,
                        t.NodeID is not null && nodeNames.TryGetValue(t.NodeID, out var node) ? node : string.Empty,
                        State(t.DesiredState),
                        $"{State(t.Status?.State)} {Ago(t.Status?.Timestamp)}".Trim(),
                        Truncate(t.Status?.Err ?? string.Empty, full ? int.MaxValue : 30),
                        string.Join(", ", (t.Status?.PortStatus?.Ports ?? []).Select(p => $"*:{p.PublishedPort}->{p.TargetPort}/{p.Protocol}"))))
                    .ToList();
                return Print(stdout, stderr, stackName, rows, parse.GetValue(format) == "json", restarts: false);
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static int Print(TextWriter stdout, TextWriter stderr, string stackName, List<TaskRow> rows, bool json, bool restarts)
    {
        if (rows.Count == 0)
        {
            stderr.WriteLine($"nothing found in stack: {stackName}");
            return ExitCodes.InvalidInput;
        }

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListTaskRow));
        }
        else if (restarts)
        {
            TableWriter.Write(stdout, ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "RESTARTS", "ERROR", "PORTS"], rows.Select(r => new[] { r.Id, r.Name, r.Image, r.Node, r.DesiredState, r.CurrentState, (r.Restarts ?? 0).ToString(CultureInfo.InvariantCulture), r.Error, r.Ports }));
        }
        else
        {
            TableWriter.Write(stdout, ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"], rows.Select(r => new[] { r.Id, r.Name, r.Image, r.Node, r.DesiredState, r.CurrentState, r.Error, r.Ports }));
        }

        return ExitCodes.Success;
    }

    private static string State(TaskState? state) => state?.ToString().ToLowerInvariant() switch
    {
        null => string.Empty,
        var s => char.ToUpperInvariant(s[0]) + s[1..],
    };

    private static string Ago(DateTime? when)
    {
        if (when is null)
        {
            return string.Empty;
        }

        var span = DateTime.UtcNow - when.Value.ToUniversalTime();
        return span.TotalSeconds < 60 ? $"{Math.Max(0, (int)span.TotalSeconds)} seconds ago"
            : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} minutes ago"
            : $"{(int)span.TotalHours} hours ago";
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
