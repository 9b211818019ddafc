using Berth.StackService;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// Runs a stack service call and turns its failures into one clear line and an exit code: a bad request (an unknown
/// filter) is a usage error (2), a name the stack does not have is invalid input (1), an orchestrator that cannot be
/// reached or refuses is exit 3 with its hint. Anything else is a bug and goes to the internal-error handler (stack
/// trace only with --verbose).
/// </summary>
internal static class StackAction
{
    public static async Task<int> RunAsync(TextWriter stderr, string commandName, Func<Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (StackUsageException ex)
        {
            stderr.WriteLine($"berth stack {commandName}: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (StackInputException ex)
        {
            stderr.WriteLine($"berth stack {commandName}: {ex.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (StackOrchestratorException ex)
        {
            stderr.WriteLine($"berth stack {commandName}: {ex.Message}");
            if (ex.Hint is { } hint)
            {
                stderr.WriteLine($"hint: {hint}");
            }

            return ExitCodes.OrchestratorError;
        }
    }
}

/// <summary>The words the messages use for an orchestrator and for what its deploys count.</summary>
internal static class StackWording
{
    /// <summary><c>Swarm</c>, <c>Kubernetes</c>.</summary>
    public static string Name(StackOrchestrator orchestrator) => orchestrator.ToString();

    /// <summary>What deploy and diff count as unchanged: services (Swarm) or objects (Kubernetes).</summary>
    public static string Unit(StackOrchestrator orchestrator) => orchestrator switch
    {
        StackOrchestrator.Kubernetes => "objects",
        _ => "services",
    };
}
