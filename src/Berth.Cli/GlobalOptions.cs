using System.CommandLine;

namespace Berth.Cli;

/// <summary>Options every command accepts.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show details, including stack traces of internal errors",
        Recursive = true,
    };
}
