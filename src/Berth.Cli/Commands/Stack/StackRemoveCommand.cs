using System.CommandLine;
using Berth.Cli.Output;
using Berth.StackService;

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

            var options = new StackRemoveOptions { Wait = parse.GetValue(wait), Timeout = parse.GetValue(timeout), Volumes = parse.GetValue(volumes) };
            var events = new StackEventPrinter(stdout, stderr);
            using var service = resolved.Open(environment);
            return await StackAction.RunAsync(stderr, "rm", async () =>
            {
                foreach (var stackName in parse.GetValue(names) ?? [])
                {
                    var result = await service.RemoveAsync(stackName, options, events, cancellationToken).ConfigureAwait(false);
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
        });
        return command;
    }
}
