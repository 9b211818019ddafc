namespace Berth.Compose.Diagnostics;

/// <summary>How serious a diagnostic is. Errors stop the pipeline before anything is changed.</summary>
public enum Severity
{
    Error,
    Warning,
    Info,
}
