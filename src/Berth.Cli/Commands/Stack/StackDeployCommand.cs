using System.CommandLine;
using Berth.Cli.Commands.Policy;
using Berth.Cli.Output;
using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack deploy</c>: create or update a stack, wait for it to converge, optionally roll back.</summary>
internal static class StackDeployCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var project = new ProjectOptions();
        var name = StackOptions.StackName();
        var detach = new Option<bool>("--detach", "-d") { Description = "Return once the changes are sent, without waiting for services to converge" };
        var timeout = DurationOption.Create("--timeout", "How long to wait for convergence", TimeSpan.FromMinutes(5));
        var historyMax = StackHistoryOptions.HistoryMax();
        var command = new Command("deploy", "Deploy a new stack or update an existing one") { name, detach, timeout, historyMax };
        var target = new OrchestratorOptions(command);
        var prune = target.SwarmOnly(command, new Option<bool>("--prune") { Description = "Swarm: remove the stack's services, networks, secrets and configs the file no longer names (Kubernetes always prunes)" });
        var rollback = target.SwarmOnly(command, new Option<bool>("--rollback-on-failure") { Description = "Swarm: when a service this deploy updated fails to converge, restore its previous spec" });
        var stability = target.SwarmOnly(command, DurationOption.Create("--stability", "Swarm: how long every service must keep its tasks running before the stack counts as converged (docker's monitor period)", TimeSpan.FromSeconds(5)));
        var resolveImage = SwarmImageOptions.ResolveImage();
        command.Options.Add(resolveImage);
        var registryAuth = target.SwarmOnly(command, SwarmImageOptions.WithRegistryAuth());
        var volumes = target.KubernetesOnly(command, new Option<bool>("--volumes") { Description = "Kubernetes: also delete the stack's PersistentVolumeClaims the file no longer names" });
        var serviceType = target.KubernetesOnly(command, StackOptions.ServiceType());
        var networkPolicies = target.KubernetesOnly(command, StackOptions.NetworkPolicies());
        var recreate = target.KubernetesOnly(command, new Option<bool>("--recreate") { Description = "Kubernetes: when a StatefulSet's unchangeable fields change (claim templates, serviceName), delete it with propagationPolicy=Orphan (pods and claims stay) and create it again, re-attaching its claims by name" });
        command.Aliases.Add("up");
        project.AddTo(command, namedByStack: true);
        var policy = new PolicyOptions();
        policy.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var stackName = parse.GetValue(name)!;
            if (target.Resolve(parse, "deploy", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            var wait = parse.GetValue(timeout).Value;
            wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
            var (loaded, loadExit) = StackPlanLoader.LoadProject(parse, project, stackName, "deploy", cancellationToken);
            if (loaded is null)
            {
                return loadExit;
            }

            if (policy.TryRead(parse, "deploy", environment, cancellationToken, out var deployPolicy) is { } policyExit)
            {
                return policyExit;
            }

            var request = new StackDeployRequest(stackName, loaded)
            {
                Detach = parse.GetValue(detach),
                Timeout = wait,
                Prune = parse.GetValue(prune),
                RollbackOnFailure = parse.GetValue(rollback),
                Stability = parse.GetValue(stability),
                ResolveImage = SwarmImageOptions.ResolveModeOf(parse.GetValue(resolveImage), resolved),
                WithRegistryAuth = parse.GetValue(registryAuth),
                Volumes = parse.GetValue(volumes),
                ServiceType = StackOptions.ServiceTypeOf(parse.GetValue(serviceType)),
                NetworkPolicies = parse.GetValue(networkPolicies),
                HistoryMax = parse.GetValue(historyMax),
                Recreate = parse.GetValue(recreate),
                Policy = deployPolicy,
                NamespacePodSecurity = true,
            };

            // Redraw progress in place only on a real terminal; redirected output gets plain appended lines.
            var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            var events = new StackEventPrinter(stdout, stderr, new ConvergenceDisplay(stdout, interactive));
            using var service = resolved.Open(environment);
            try
            {
                return await StackAction.RunAsync(stderr, "deploy", async () =>
                    Report(stdout, stderr, await service.DeployAsync(request, events, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
            }
            catch (StackDeployInterruptedException interrupted)
            {
                stdout.Flush();
                stderr.WriteLine($"berth stack deploy: interrupted; stack {stackName} was not checked to converge. Changes already sent stay in the {StackWording.Name(interrupted.Orchestrator)}: see 'berth stack ps {stackName}', or run deploy again");
                return ExitCodes.Cancelled;
            }
        });
        return command;
    }

    private static int Report(TextWriter stdout, TextWriter stderr, StackDeployResult result)
    {
        if (result.PolicyCheck is { Denied: true } denied)
        {
            PolicyDenial.Print(stderr, "deploy", result.Stack, denied);
            return ExitCodes.InvalidInput;
        }

        if (result.Invalid)
        {
            stderr.WriteLine($"berth stack deploy: the stack cannot run on {StackWording.Name(result.Orchestrator)} as written; nothing was changed");
            return ExitCodes.InvalidInput;
        }

        if (!result.Collisions.IsEmpty)
        {
            ReportCollisions(stderr, result);
            return ExitCodes.OrchestratorError;
        }

        if (!result.Refusals.IsEmpty)
        {
            ReportRefusals(stderr, result);
            return ExitCodes.InvalidInput;
        }

        if (!result.Converged)
        {
            // The wording of each orchestrator's failure report, as it has always been printed.
            switch (result.Orchestrator)
            {
                case StackOrchestrator.Kubernetes:
                    ReportClusterFailure(stderr, result);
                    break;
                default:
                    ReportEngineFailure(stderr, result);
                    break;
            }

            return ExitCodes.OrchestratorError;
        }

        stdout.WriteLine(result.Writes == 0
            ? $"Stack {result.Stack} is up to date ({result.Unchanged.Length} {StackWording.Unit(result.Orchestrator)} unchanged)"
            : $"Stack {result.Stack}: {result.Created.Length} created, {result.Updated.Length} updated, {result.Unchanged.Length} unchanged, {result.Removed.Length} removed"
                + (result.Replaced.IsEmpty ? string.Empty : $" ({result.Replaced.Length} of the created replaced: {string.Join(", ", result.Replaced)})"));
        return ExitCodes.Success;
    }

    /// <summary>Each refused replacement (what would be lost, how to proceed), then one line that nothing was written.</summary>
    private static void ReportRefusals(TextWriter stderr, StackDeployResult result)
    {
        foreach (var refusal in result.Refusals)
        {
            stderr.WriteLine(refusal.Message);
            stderr.WriteLine("hint: " + refusal.Hint);
        }

        stderr.WriteLine($"berth stack deploy: {result.Refusals.Length} change{(result.Refusals.Length == 1 ? string.Empty : "s")} would need a replacement that loses or detaches data; nothing was changed");
    }

    private static void ReportCollisions(TextWriter stderr, StackDeployResult result)
    {
        foreach (var collision in result.Collisions)
        {
            stderr.WriteLine($"{collision.Kind} {collision.Name} exists and is not part of stack {result.Stack}{(collision.Reason is { Length: > 0 } reason ? $" ({reason})" : string.Empty)}");
        }

        stderr.WriteLine($"berth stack deploy: {result.Collisions.Length} object{(result.Collisions.Length == 1 ? string.Empty : "s")} in namespace {result.Namespace} already exist and are not part of stack {result.Stack}; nothing was changed");
        stderr.WriteLine("hint: Berth never overwrites objects it does not own: rename the services, remove those objects, or deploy into another namespace with --namespace");
    }

    private static void ReportClusterFailure(TextWriter stderr, StackDeployResult result)
    {
        stderr.WriteLine($"berth stack deploy: stack {result.Stack} did not converge (waited up to {result.Timeout.TotalSeconds:0}s):");
        foreach (var failure in result.Failures)
        {
            stderr.WriteLine("  " + failure);
        }

        stderr.WriteLine($"hint: the objects were applied; fix the file (e.g. the image name) and deploy again, inspect with 'berth stack ps {result.Stack} --orchestrator kubernetes', or remove the stack with 'berth stack rm {result.Stack}'");
    }

    private static void ReportEngineFailure(TextWriter stderr, StackDeployResult result)
    {
        var stackName = result.Stack;
        var wait = result.Timeout;

        // Nothing was written, so nothing was waited for: the stack was already in this state.
        stderr.WriteLine(result.Writes == 0
            ? $"berth stack deploy: stack {stackName} is up to date but not healthy:"
            : result.Elapsed < wait
                // Stopped before the timeout: a service cannot converge on its own (restart loop, paused update).
                ? $"berth stack deploy: stack {stackName} did not converge (gave up after {result.Elapsed.TotalSeconds:0}s of --timeout {wait.TotalSeconds:0}s: a service cannot converge on its own):"
                : $"berth stack deploy: stack {stackName} did not converge (waited up to {wait.TotalSeconds:0}s):");
        foreach (var failure in result.Failures)
        {
            stderr.WriteLine("  " + failure);
        }

        if (!result.RolledBack.IsEmpty)
        {
            stderr.WriteLine($"Rolled back to the previous spec: {string.Join(", ", result.RolledBack)}");
        }

        var created = result.Created.Where(c => result.Failures.Any(f => f.StartsWith(c + ":", StringComparison.Ordinal))).ToList();
        if (created.Count > 0)
        {
            // Swarm has no "create only if it will run": the service exists and keeps retrying its tasks.
            stderr.WriteLine($"hint: the service{(created.Count == 1 ? string.Empty : "s")} {string.Join(", ", created)} {(created.Count == 1 ? "was" : "were")} created and stay{(created.Count == 1 ? "s" : string.Empty)} in the Swarm, retrying its tasks (that is how Swarm works; there is no previous version to roll back to). "
                + $"Fix the file (e.g. the image name, or make the image available on the nodes) and run deploy again, or remove the stack with 'berth stack rm {stackName}'.");
        }
    }
}
