using System.CommandLine;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>berth stack deploy|diff|ls|services|ps|logs|scale|rm|history|rollback</c> on Docker Swarm or Kubernetes (see <see cref="OrchestratorOptions"/>).
/// Names and labels are docker's, so stacks made by <c>docker stack deploy</c> (or compose-on-kubernetes) are listed,
/// updated and removed here, and the reverse.
/// </summary>
internal static class StackCommand
{
    public static Command Create(GlobalOptions global, Func<string, string?> environment)
    {
        _ = global;
        return new Command("stack", "Deploy and manage stacks on Docker Swarm or Kubernetes (--orchestrator)")
        {
            StackDeployCommand.Create(environment),
            StackDiffCommand.Create(environment),
            StackListCommand.Create(environment),
            StackServicesCommand.Create(environment),
            StackPsCommand.Create(environment),
            StackRemoveCommand.Create(environment),
            StackHistoryCommand.Create(environment),
            StackRollbackCommand.Create(environment),
            StackScaleCommand.Create(environment),
            StackLogsCommand.Create(environment),
        };
    }
}
