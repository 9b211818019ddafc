namespace Berth.Compose.Diagnostics;

/// <summary>
/// A problem found in user input: a stable code, where it is (file, line, column, YAML path),
/// what is wrong and how to fix it.
/// </summary>
public sealed record Diagnostic(
    string Code,
    Severity Severity,
    string Message,
    SourceLocation Location,
    string? YamlPath = null,
    string? Hint = null)
{
    /// <summary>Formats the diagnostic the way compilers do: <c>file:line:col: error CODE: message</c>.</summary>
    public override string ToString()
    {
        var where = Location.IsKnown ? $"{Location}: " : string.Empty;
        var severity = Severity.ToString().ToLowerInvariant();
        var path = YamlPath is null ? string.Empty : $" ({YamlPath})";
        return $"{where}{severity} {Code}: {Message}{path}";
    }
}
