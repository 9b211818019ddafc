using System.CommandLine;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack deploy|diff|ls|services|ps|rm</c> on Docker Swarm. Names and labels are docker's, so stacks made by
/// <c>docker stack deploy</c> are listed, updated and removed here, and the reverse.
/// </summary>
internal static class StackCommand
{
    public static Command Create(GlobalOptions global)
    {
        _ = global;
        return new Command("stack", "Deploy and manage stacks on Docker Swarm")
        {
            StackDeployCommand.Create(),
            StackDiffCommand.Create(),
            StackListCommand.Create(),
            StackServicesCommand.Create(),
            StackPsCommand.Create(),
            StackRemoveCommand.Create(),
        };
    }
}
