namespace Berth.Compose.Diagnostics;

/// <summary>A position in a source file; lines and columns are 1-based.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location for values that do not come from a file (command line, environment).</summary>
    public static SourceLocation None { get; } = new(string.Empty, 0, 0);

    public bool IsKnown => File.Length > 0;

    public override string ToString() => IsKnown ? $"{File}:{Line}:{Column}" : "<none>";
}
