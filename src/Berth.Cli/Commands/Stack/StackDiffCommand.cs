using System.CommandLine;
using System.Text.Json;
using Berth.Swarm.Apply;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack diff</c>: what a deploy would change, from reads only (no mutating Engine API call). Exits 0 like
/// <c>git diff</c>; with <c>--exit-code</c>, 1 when there are differences.
/// </summary>
internal static class StackDiffCommand
{
    public static Command Create()
    {
        var project = new ProjectOptions();
        var name = StackOptions.StackName();
        var orchestrator = StackOptions.Orchestrator();
        var format = StackOptions.Format();
        var prune = new Option<bool>("--prune") { Description = "Also show what deploy --prune would remove" };
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 1 when a deploy would change something, 0 when not" };
        var command = new Command("diff", "Show what a deploy would change, without changing anything") { name, orchestrator, format, prune, exitCode };
        project.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            var (plan, loadExit) = StackPlanLoader.Load(parse, project, stackName, "diff", cancellationToken);
            if (plan is null)
            {
                return loadExit;
            }

            return await EngineAction.RunAsync(stderr, "diff", async client =>
            {
                var changes = await SwarmPlanner.PlanAsync(client, plan, parse.GetValue(prune), cancellationToken).ConfigureAwait(false);
                var rows = changes.Changes.Select(c => new DiffRow(c.Action.ToString().ToLowerInvariant(), c.Kind, c.Name, [.. c.Fields], c.Reason)).ToList();
                if (parse.GetValue(format) == "json")
                {
                    stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListDiffRow));
                }
                else
                {
                    Print(stdout, stackName, rows, changes.UnchangedServices.Length);
                }

                return parse.GetValue(exitCode) && changes.HasChanges ? ExitCodes.DifferencesFound : ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static void Print(TextWriter stdout, string stackName, List<DiffRow> rows, int unchanged)
    {
        foreach (var row in rows)
        {
            var sign = row.Action switch { "create" => "+", "remove" => "-", _ => "~" };
            var detail = row.Fields.Count > 0 ? $" ({string.Join(", ", row.Fields)})" : row.Reason is { } reason ? $" ({reason})" : string.Empty;
            stdout.WriteLine($"{sign} {row.Action} {row.Kind} {row.Name}{detail}");
        }

        var counts = rows.GroupBy(r => r.Action).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        stdout.WriteLine(rows.Count == 0
            ? $"Stack {stackName} is up to date ({unchanged} services unchanged)"
            : $"Stack {stackName}: {counts.GetValueOrDefault("create")} to create, {counts.GetValueOrDefault("update")} to update, {counts.GetValueOrDefault("remove")} to remove, {unchanged} services unchanged");
    }
}
