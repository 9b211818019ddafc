namespace Berth.StackService;

/// <summary>The orchestrator cannot be reached, refused, or failed: a one-line message fit for users (never a secret) and a hint.</summary>
public sealed class StackOrchestratorException(string message, string? hint, Exception? inner = null) : Exception(message, inner)
{
    public string? Hint { get; } = hint;
}

/// <summary>The request itself is wrong (an unknown filter key): found before any request is made.</summary>
public sealed class StackUsageException(string message) : Exception(message);

/// <summary>
/// The request names something the stack does not have (a service): invalid input, exit 1, as <c>docker service
/// logs</c> and <c>docker compose logs</c> answer an unknown service, and as <c>berth stack scale</c> refuses one.
/// </summary>
public sealed class StackInputException(string message) : Exception(message);

/// <summary>
/// A deploy was interrupted (cancelled) while it was writing or waiting; what was already sent stays. Only thrown
/// where the orchestrator can say so (Swarm); otherwise cancellation is a plain <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class StackDeployInterruptedException(string stack, StackOrchestrator orchestrator, Exception inner)
    : OperationCanceledException($"the deploy of stack {stack} was interrupted", inner)
{
    public string Stack { get; } = stack;

    public StackOrchestrator Orchestrator { get; } = orchestrator;
}
