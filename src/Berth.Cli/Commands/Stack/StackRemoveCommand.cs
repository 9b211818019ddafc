using System.CommandLine;
using Berth.Kubernetes.Apply;
using Berth.Swarm.Apply;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack rm</c>: removes only objects carrying the stack's label (on Kubernetes, claims only with --volumes).</summary>
internal static class StackRemoveCommand
{
    public static Command Create(Func<string, string?> environment)
    {
        var names = new Argument<string[]>("STACK") { Description = "Stacks to remove", Arity = ArgumentArity.OneOrMore };
        var command = new Command("rm", "Remove stacks: only objects carrying the stack's label") { names };
        var target = new OrchestratorOptions(command);
        var wait = target.SwarmOnly(command, new Option<bool>("--wait") { Description = "Swarm: wait until every task and network of the stack is gone" });
        var timeout = DurationOption.Create("--timeout", "With --wait: how long to wait", TimeSpan.FromMinutes(2));
        command.Options.Add(timeout);
        var volumes = target.KubernetesOnly(command, new Option<bool>("--volumes") { Description = "Kubernetes: also delete the stack's PersistentVolumeClaims (their data is lost)" });
        command.Aliases.Add("remove");
        command.Aliases.Add("down");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (!StackOptions.CheckStackNames(stderr, "rm", parse.GetValue(names) ?? [], existing: true))
            {
                return ExitCodes.Usage;
            }

            if (parse.GetResult(timeout) is { Implicit: false } && !parse.GetValue(wait))
            {
                stderr.WriteLine("berth stack rm: --timeout only applies with --wait");
                stderr.WriteLine("hint: add --wait, or drop --timeout");
                return ExitCodes.Usage;
            }

            if (target.Resolve(parse, "rm", environment) is not { } resolved)
            {
                return ExitCodes.Usage;
            }

            if (resolved.Orchestrator == Orchestration.Orchestrator.Kubernetes)
            {
                return await KubernetesAction.RunAsync(stderr, "rm", resolved, environment, async cluster =>
                {
                    foreach (var stackName in parse.GetValue(names) ?? [])
                    {
                        var result = await KubernetesStackRemover.RemoveAsync(cluster.Client, cluster.Namespace, stackName, parse.GetValue(volumes), cancellationToken).ConfigureAwait(false);
                        foreach (var removed in result.Removed)
                        {
                            stdout.WriteLine($"Removing {removed.Replace('/', ' ')}");
                        }

                        if (!result.KeptVolumes.IsEmpty)
                        {
                            stdout.WriteLine($"Kept {string.Join(", ", result.KeptVolumes.Select(v => v.Replace('/', ' ')))}");
                            stdout.WriteLine($"hint: volumes keep their data; run 'berth stack rm {stackName} --orchestrator kubernetes --volumes' to delete them too");
                        }

                        if (!result.Found)
                        {
                            stderr.WriteLine($"Nothing found in stack: {stackName}");
                        }
                    }

                    return ExitCodes.Success;
                }).ConfigureAwait(false);
            }

            return await EngineAction.RunAsync(stderr, "rm", environment, async client =>
            {
                var deployer = new SwarmDeployer(client, line => stdout.WriteLine(line));
                foreach (var stackName in parse.GetValue(names) ?? [])
                {
                    var removed = await deployer.RemoveStackAsync(stackName, parse.GetValue(wait), parse.GetValue(timeout), cancellationToken).ConfigureAwait(false);
                    if (removed.Length == 0)
                    {
                        stderr.WriteLine($"Nothing found in stack: {stackName}");
                    }
                }

                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
