using System.CommandLine;
using Berth.Swarm.Apply;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack rm</c>: removes only objects carrying the stack's label.</summary>
internal static class StackRemoveCommand
{
    public static Command Create()
    {
        var names = new Argument<string[]>("STACK") { Description = "Stacks to remove", Arity = ArgumentArity.OneOrMore };
        var orchestrator = StackOptions.Orchestrator();
        var wait = new Option<bool>("--wait") { Description = "Wait until every task and network of the stack is gone" };
        var timeout = DurationOption.Create("--timeout", "How long to wait with --wait", TimeSpan.FromMinutes(2));
        var command = new Command("rm", "Remove stacks: only objects carrying the stack's label") { names, orchestrator, wait, timeout };
        command.Aliases.Add("remove");
        command.Aliases.Add("down");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            return await EngineAction.RunAsync(parse.InvocationConfiguration.Error, "rm", async client =>
            {
                var deployer = new SwarmDeployer(client, line => stdout.WriteLine(line));
                foreach (var stackName in parse.GetValue(names) ?? [])
                {
                    var removed = await deployer.RemoveStackAsync(stackName, parse.GetValue(wait), parse.GetValue(timeout), cancellationToken).ConfigureAwait(false);
                    if (removed.Length == 0)
                    {
                        parse.InvocationConfiguration.Error.WriteLine($"Nothing found in stack: {stackName}");
                    }
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }
}
