using System.CommandLine;
using System.Text.Json;
using Berth.Cli.Commands.Policy;
using Berth.Cli.Output;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack diff</c>: what a deploy would change, from reads only (no mutating Engine API call). Exits 0 like
/// <c>git diff</c>; with <c>--exit-code</c>, 1 when there are differences and every error above 1 (as kubectl diff).
/// </summary>
internal static class StackDiffCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var project = new ProjectOptions();
        var name = StackOptions.StackName();
        var format = StackOptions.Format();
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 0 when a deploy would change nothing, 1 when it would change something, and above 1 on errors (2 usage, 3 orchestrator, 4 invalid input)" };
        var command = new Command("diff", "Show what a deploy would change, without changing anything") { name, format, exitCode };
        var target = new OrchestratorOptions(command);
        var prune = target.SwarmOnly(command, new Option<bool>("--prune") { Description = "Swarm: also show what deploy --prune would remove (Kubernetes deploys always prune)" });
        var volumes = target.KubernetesOnly(command, new Option<bool>("--volumes") { Description = "Kubernetes: also show the PersistentVolumeClaims deploy --volumes would delete" });
        var serviceType = target.KubernetesOnly(command, StackOptions.ServiceType());
        var networkPolicies = target.KubernetesOnly(command, StackOptions.NetworkPolicies());

        // Both orchestrators: under always, a tag that moved to another digest since the deploy is a change.
        var resolveImage = SwarmImageOptions.ResolveImage();
        command.Options.Add(resolveImage);
        project.AddTo(command, namedByStack: true);
        var policy = new PolicyOptions();
        policy.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (target.Resolve(parse, "diff", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            var json = parse.GetValue(format) == "json";

            // Under --exit-code, 1 means "changes pending" (as kubectl diff), so invalid input gets its own code.
            int Invalid(int code) => code == ExitCodes.InvalidInput && parse.GetValue(exitCode) ? ExitCodes.DiffInvalidInput : code;
            var (loaded, loadExit) = StackPlanLoader.LoadProject(parse, project, stackName, "diff", cancellationToken);
            if (loaded is null)
            {
                return Invalid(loadExit);
            }

            if (policy.TryRead(parse, "diff", environment, cancellationToken, out var deployPolicy) is { } policyExit)
            {
                return Invalid(policyExit);
            }

            var request = new StackDeployRequest(stackName, loaded)
            {
                Prune = parse.GetValue(prune),
                Volumes = parse.GetValue(volumes),
                ServiceType = StackOptions.ServiceTypeOf(parse.GetValue(serviceType)),
                NetworkPolicies = parse.GetValue(networkPolicies),
                ResolveImage = SwarmImageOptions.ResolveModeOf(parse.GetValue(resolveImage), resolved),
                Policy = deployPolicy,
                NamespacePodSecurity = true,
            };
            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "diff", async () =>
            {
                var changes = await service.PlanAsync(request, new StackEventPrinter(stdout, stderr), cancellationToken).ConfigureAwait(false);
                if (changes.PolicyCheck is { Denied: true } denied)
                {
                    PolicyDenial.Print(stderr, "diff", stackName, denied);
                    return Invalid(ExitCodes.InvalidInput);
                }

                if (changes.Invalid)
                {
                    stderr.WriteLine($"berth stack diff: the stack cannot run on {StackWording.Name(changes.Orchestrator)} as written; nothing was changed");
                    return Invalid(ExitCodes.InvalidInput);
                }

                var rows = changes.Changes.Select(c => new DiffRow(c.Action, c.Kind, c.Name, [.. c.Fields], c.Reason)
                {
                    Refused = c.Refused?.Message,
                    Hint = c.Refused?.Hint,
                    Changes = c.Values.IsEmpty ? null : [.. c.Values.Select(x => new DiffChange(x.Field, x.From, x.To) { Text = x.Text })],
                }).ToList();
                Write(stdout, json, stackName, rows, changes.Unchanged, StackWording.Unit(changes.Orchestrator));
                return parse.GetValue(exitCode) && changes.HasChanges ? ExitCodes.DifferencesFound : ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static void Write(TextWriter stdout, bool json, string stackName, List<DiffRow> rows, int unchanged, string unit)
    {
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(rows, StackJsonContext.Default.ListDiffRow));
        }
        else
        {
            Print(stdout, stackName, rows, unchanged, unit);
        }
    }

    /// <summary>
    /// The table form; collisions (Kubernetes) are shown with <c>!</c> and counted, since they would stop the deploy.
    /// A row with values (Swarm updates) lists them indented below it, one change a line.
    /// </summary>
    public static void Print(TextWriter stdout, string stackName, List<DiffRow> rows, int unchanged, string unit)
    {
        foreach (var row in rows)
        {
            var sign = row.Action switch { "create" => "+", "remove" => "-", "collision" => "!", "replace" => "-/+", _ => "~" };
            if (row.Changes is { Count: > 0 } changes)
            {
                // Fields listed without values (Kubernetes: all but images) stay named on the object's line.
                var unvalued = row.Fields.Where(f => !changes.Any(c => c.Field == f)).ToList();
                stdout.WriteLine($"{sign} {row.Action} {row.Kind} {row.Name}{(unvalued.Count > 0 ? $" ({string.Join(", ", unvalued)})" : string.Empty)}");
                foreach (var change in changes)
                {
                    stdout.WriteLine($"    {change.Text}");
                }

                continue;
            }

            var detail = row.Action == "replace" && row.Reason is { } why ? $" ({why})"
                : row.Fields.Count > 0 ? $" ({string.Join(", ", row.Fields)})" : row.Reason is { } reason ? $" ({reason})" : string.Empty;
            stdout.WriteLine($"{sign} {row.Action} {row.Kind} {row.Name}{detail}");
            if (row.Refused is { } refused)
            {
                // A deploy stops here: say so where the change is listed.
                stdout.WriteLine($"    refused: {refused}");
                stdout.WriteLine($"    hint: {row.Hint}");
            }
        }

        var counts = rows.GroupBy(r => r.Action).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        stdout.WriteLine(rows.Count == 0
            ? $"Stack {stackName} is up to date ({unchanged} {unit} unchanged)"
            : $"Stack {stackName}: {counts.GetValueOrDefault("create")} to create, {counts.GetValueOrDefault("update")} to update, {counts.GetValueOrDefault("remove")} to remove, {unchanged} {unit} unchanged"
                + (counts.GetValueOrDefault("replace") is var replacements and > 0 ? $", {replacements} to replace (deleted and created again)" : string.Empty)
                + (rows.Count(r => r.Refused is not null) is var refusals and > 0 ? $"; {refusals} refused replacement{(refusals == 1 ? string.Empty : "s")} (a deploy would change nothing)" : string.Empty)
                + (counts.GetValueOrDefault("collision") is var collisions and > 0 ? $"; {collisions} collision{(collisions == 1 ? string.Empty : "s")} (a deploy would change nothing)" : string.Empty));
    }
}
