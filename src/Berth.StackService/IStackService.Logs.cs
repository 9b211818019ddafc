namespace Berth.StackService;

/// <summary><c>berth stack logs</c> (issue 10), kept apart from the other operations so parallel additions merge cleanly.</summary>
public partial interface IStackService
{
    /// <summary>
    /// The stack's log lines. Without <see cref="StackLogOptions.Follow"/>: every line, sorted by time, then the
    /// enumeration ends. With it: the lines as they arrive, until cancelled (a normal end, no exception is thrown).
    /// An unknown service name is a <see cref="StackInputException"/> before any line.
    /// </summary>
    IAsyncEnumerable<StackLogLine> LogsAsync(string stack, StackLogOptions options, CancellationToken cancellationToken);
}
