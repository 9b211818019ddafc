using Berth.Compose.Diagnostics;

namespace Berth.Cli.Output;

/// <summary>Prints diagnostics to standard error like a compiler: location, severity, code, message, then the hint.</summary>
internal static class DiagnosticPrinter
{
    public static void Print(TextWriter error, IEnumerable<Diagnostic> diagnostics, bool showWarnings = true)
    {
        foreach (var d in diagnostics)
        {
            if (d.Severity != Severity.Error && !showWarnings)
            {
                continue;
            }

            var where = d.Location.IsKnown ? $"{RelativePath(d.Location.File)}:{d.Location.Line}:{d.Location.Column}: " : string.Empty;
            var path = d.YamlPath is null ? string.Empty : $" [{d.YamlPath}]";
            error.WriteLine($"{where}{SeverityName(d.Severity)} {d.Code}: {d.Message}{path}");
            if (d.Hint is not null)
            {
                error.WriteLine($"  hint: {d.Hint}");
            }
        }
    }

    /// <summary>Spelled out: an enum's <c>ToString()</c> starts the reflection runtime in the native binary (start-up time).</summary>
    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        Severity.Info => "info",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    /// <summary>The file as the diagnostics show it: relative to the current folder when under it.</summary>
    public static string RelativePath(string file)
    {
        if (!Path.IsPathRooted(file))
        {
            return file;
        }

        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        return relative.StartsWith("..", StringComparison.Ordinal) ? file : relative;
    }
}
