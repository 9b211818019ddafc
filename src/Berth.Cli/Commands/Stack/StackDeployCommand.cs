using System.CommandLine;
using Berth.Stacks.Progress;
using Berth.Swarm.Apply;

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
        var command = new Command("deploy", "Deploy a new stack or update an existing one") { name, detach, timeout };
        var target = new OrchestratorOptions(command);
        var prune = target.SwarmOnly(command, new Option<bool>("--prune") { Description = "Swarm: remove the stack's services, networks, secrets and configs the file no longer names (Kubernetes always prunes)" });
        var rollback = target.SwarmOnly(command, new Option<bool>("--rollback-on-failure") { Description = "Swarm: when a service this deploy updated fails to converge, restore its previous spec" });
        var stability = target.SwarmOnly(command, DurationOption.Create("--stability", "Swarm: how long every service must keep its tasks running before the stack counts as converged (docker's monitor period)", TimeSpan.FromSeconds(5)));
        var resolveImage = target.SwarmOnly(command, SwarmImageOptions.ResolveImage());
        var registryAuth = target.SwarmOnly(command, SwarmImageOptions.WithRegistryAuth());
        var volumes = target.KubernetesOnly(command, new Option<bool>("--volumes") { Description = "Kubernetes: also delete the stack's PersistentVolumeClaims the file no longer names" });
        var serviceType = target.KubernetesOnly(command, StackOptions.ServiceType());
        var networkPolicies = target.KubernetesOnly(command, StackOptions.NetworkPolicies());
        command.Aliases.Add("up");
        project.AddTo(command, namedByStack: true);
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

            // Redraw progress in place only on a real terminal; redirected output gets plain appended lines.
            var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            if (resolved.Orchestrator == Orchestration.Orchestrator.Kubernetes)
            {
                var (loaded, loadExit) = StackPlanLoader.LoadProject(parse, project, stackName, "deploy", cancellationToken);
                if (loaded is null)
                {
                    return loadExit;
                }

                return await KubernetesAction.RunAsync(stderr, "deploy", resolved, environment, cluster => KubernetesStackDeploy.RunAsync(
                    cluster, loaded, stackName, stdout, stderr, interactive, StackOptions.ConversionOf(parse, serviceType, networkPolicies),
                    new Kubernetes.Apply.KubernetesDeployOptions { Detach = parse.GetValue(detach), Timeout = wait, PruneVolumes = parse.GetValue(volumes) },
                    cancellationToken)).ConfigureAwait(false);
            }

            var (plan, exitCode) = StackPlanLoader.Load(parse, project, stackName, "deploy", cancellationToken);
            if (plan is null)
            {
                return exitCode;
            }

            return await EngineAction.RunAsync(stderr, "deploy", environment, async client =>
            {
                var deployer = new SwarmDeployer(client, line => stdout.WriteLine(line), new ConvergenceDisplay(stdout, interactive));
                SwarmDeployResult result;
                var watch = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    result = await deployer.DeployAsync(plan, new SwarmDeployOptions
                    {
                        Prune = parse.GetValue(prune),
                        Detach = parse.GetValue(detach),
                        RollbackOnFailure = parse.GetValue(rollback),
                        Timeout = wait,
                        Stability = parse.GetValue(stability),
                        ResolveImage = SwarmImageOptions.ResolveModeOf(parse.GetValue(resolveImage)),
                        RegistryCredentials = parse.GetValue(registryAuth) ? DockerRegistryCredentials.Load(environment, line => stderr.WriteLine(line)) : null,
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or SwarmEngineException or HttpRequestException or IOException)
                {
                    // Ctrl-C: whatever the engine call in flight threw, the cause is the interruption, not a timeout or the engine.
                    stdout.Flush();
                    stderr.WriteLine($"berth stack deploy: interrupted; stack {stackName} was not checked to converge. Changes already sent stay in the Swarm: see 'berth stack ps {stackName}', or run deploy again");
                    return ExitCodes.Cancelled;
                }

                if (!result.Converged)
                {
                    ReportFailure(stderr, stackName, wait, watch.Elapsed, result);
                    return ExitCodes.OrchestratorError;
                }

                stdout.WriteLine(result.Writes == 0
                    ? $"Stack {stackName} is up to date ({result.Unchanged.Length} services unchanged)"
                    : $"Stack {stackName}: {result.Created.Length} created, {result.Updated.Length} updated, {result.Unchanged.Length} unchanged, {result.Removed.Length} removed");
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static void ReportFailure(TextWriter stderr, string stackName, TimeSpan wait, TimeSpan elapsed, SwarmDeployResult result)
    {
        // Nothing was written, so nothing was waited for: the stack was already in this state.
        stderr.WriteLine(result.Writes == 0
            ? $"berth stack deploy: stack {stackName} is up to date but not healthy:"
            : elapsed < wait
                // Stopped before the timeout: a service cannot converge on its own (restart loop, paused update).
                ? $"berth stack deploy: stack {stackName} did not converge (gave up after {elapsed.TotalSeconds:0}s of --timeout {wait.TotalSeconds:0}s: a service cannot converge on its own):"
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
