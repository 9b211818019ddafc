using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Berth.Stacks;
using Docker.DotNet.Models;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack ls</c>: stacks are the values of the namespace label on services.</summary>
internal static class StackListCommand
{
    public static Command Create()
    {
        var format = StackOptions.Format();
        var orchestrator = StackOptions.Orchestrator();
        var command = new Command("ls", "List stacks") { format, orchestrator };
        command.Aliases.Add("list");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            return await EngineAction.RunAsync(parse.InvocationConfiguration.Error, "ls", async client =>
            {
                var services = await Swarm.Apply.SwarmEngine.CallAsync(client, c => c.Swarm.ListServicesAsync(new ServiceListParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [StackLabels.StackNamespace] = true } },
                }, cancellationToken)).ConfigureAwait(false);
                var rows = services
                    .Select(s => s.Spec?.Labels is { } l && l.TryGetValue(StackLabels.StackNamespace, out var v) ? v : null)
                    .OfType<string>()
                    .GroupBy(n => n, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new StackRow(g.Key, g.Count(), "swarm"))
                    .ToList();
                if (parse.GetValue(format) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListStackRow));
                }
                else
                {
                    TableWriter.Write(stdout, ["NAME", "SERVICES", "ORCHESTRATOR"], rows.Select(r => new[] { r.Name, r.Services.ToString(CultureInfo.InvariantCulture), r.Orchestrator }));
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }
}
