using System.CommandLine;
using Berth.Cli.Commands.Policy;
using Berth.Cli.Output;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack rollback</c>: deploys a stored revision again through the same plan/deploy path as
/// <c>diff</c> and <c>deploy</c> (the diff first; unchanged objects are not written); it becomes a new revision.
/// The revision is held to today's policy (<c>--policy</c>/<c>--policy-mode</c>, the Berth config file's, and on
/// Kubernetes the namespace's Pod Security labels), not to the one it was deployed under: a denied rollback changes nothing.
/// </summary>
internal static class StackRollbackCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var name = StackOptions.StackName();
        var to = new Option<int?>("--to") { Description = "The revision to go back to (default: the one before the latest; see 'berth stack history')" };
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the changes are sent, without waiting for services to converge" };
        var timeout = DurationOption.Create("--timeout", "How long to wait for convergence", TimeSpan.FromMinutes(5));
        var historyMax = StackHistoryOptions.HistoryMax();
        var command = new Command("rollback", "Deploy a revision from the stack's history again (shows the diff first)") { name, to, detach, timeout, historyMax };
        var target = new OrchestratorOptions(command);
        var policy = new PolicyOptions();
        policy.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (!StackOptions.CheckStackNames(stderr, "rollback", [stackName], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "rollback", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            if (policy.TryRead(parse, "rollback", environment, cancellationToken, out var deployPolicy) is { } policyExit)
            {
                return policyExit;
            }

            var wait = parse.GetValue(timeout).Value;
            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "rollback", async () =>
            {
                StackRollbackTarget rollback;
                try
                {
                    rollback = await service.PrepareRollbackAsync(stackName, parse.GetValue(to), cancellationToken).ConfigureAwait(false);
                }
                catch (StackHistoryException ex)
                {
                    stderr.WriteLine($"berth stack rollback: {ex.Message}");
                    if (ex.Hint is { } hint)
                    {
                        stderr.WriteLine($"hint: {hint}");
                    }

                    return ExitCodes.InvalidInput;
                }

                var request = rollback.Request with
                {
                    Detach = parse.GetValue(detach),
                    Timeout = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait,
                    HistoryMax = parse.GetValue(historyMax),
                    Policy = deployPolicy,
                    NamespacePodSecurity = true,
                };
                var events = new StackEventPrinter(stdout, stderr);
                var plan = await service.PlanAsync(request, events, cancellationToken).ConfigureAwait(false);
                if (plan.PolicyCheck is { Denied: true } denied)
                {
                    PolicyDenial.Print(stderr, "rollback", stackName, denied);
                    return ExitCodes.InvalidInput;
                }

                if (plan.Invalid)
                {
                    stderr.WriteLine($"berth stack rollback: revision {rollback.Revision.Revision} cannot run on {StackWording.Name(plan.Orchestrator)} as stored; nothing was changed");
                    return ExitCodes.InvalidInput;
                }

                stdout.WriteLine($"Rolling back stack {stackName} to revision {rollback.Revision.Revision}:");
                StackDiffCommand.Print(stdout, stackName, [.. plan.Changes.Select(c => new DiffRow(c.Action, c.Kind, c.Name, [.. c.Fields], c.Reason)
                {
                    Changes = c.Values.IsEmpty ? null : [.. c.Values.Select(x => new DiffChange(x.Field, x.From, x.To) { Text = x.Text })],
                })], plan.Unchanged, StackWording.Unit(plan.Orchestrator));

                // The same printer as deploy: its warnings (e.g. a revision not recorded) matter here too.
                var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
                var deployed = await service.DeployAsync(request, new StackEventPrinter(stdout, stderr, new ConvergenceDisplay(stdout, interactive)), cancellationToken).ConfigureAwait(false);
                if (!deployed.Converged || deployed.Invalid || !deployed.Collisions.IsEmpty)
                {
                    stderr.WriteLine($"berth stack rollback: stack {stackName} did not converge on revision {rollback.Revision.Revision}:");
                    foreach (var failure in deployed.Failures)
                    {
                        stderr.WriteLine("  " + failure);
                    }

                    return ExitCodes.OrchestratorError;
                }

                stdout.WriteLine($"Stack {stackName} rolled back to revision {rollback.Revision.Revision}{(deployed.Revision is { } n ? $" (recorded as revision {n})" : string.Empty)}");
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }
}

/// <summary>The option deploy and rollback share.</summary>
internal static class StackHistoryOptions
{
    public static Option<int> HistoryMax()
    {
        var option = new Option<int>("--history-max") { Description = "How many revisions of the stack to keep in the orchestrator (0: keep none and remove its history)", DefaultValueFactory = _ => 10 };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--history-max must be 0 or more");
            }
        });
        return option;
    }
}
