namespace Berth.Cli;

/// <summary>Process exit codes, stable for scripts.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The input (Compose files, flags) is invalid; nothing was changed.</summary>
    public const int InvalidInput = 1;

    /// <summary><c>stack diff --exit-code</c>: a deploy would change something (as <c>git diff --exit-code</c>).</summary>
    public const int DifferencesFound = 1;

    /// <summary>Wrong command-line usage (unknown flag, missing argument).</summary>
    public const int Usage = 2;

    /// <summary>The orchestrator failed or refused: engine unreachable, not a Swarm manager, a deploy that did not converge.</summary>
    public const int OrchestratorError = 3;

    /// <summary>
    /// <c>stack diff --exit-code</c>: the input (Compose files, stack name) is invalid. Not 1, which means "changes
    /// pending" there; every error is above 1, as for <c>kubectl diff</c>.
    /// </summary>
    public const int DiffInvalidInput = 4;

    /// <summary>An unexpected failure inside Berth (a bug); rerun with --verbose for details.</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;
}
