namespace Berth.Kubernetes.Observe;

/// <summary>Turns API reasons and messages into one short line for progress and failure output.</summary>
internal static class ProblemText
{
    private const int MaxLength = 300;

    /// <summary><c>reason: message</c>, or the reason alone when there is no message.</summary>
    public static string Of(string? reason, string? message)
    {
        var r = OneLine(reason ?? string.Empty);
        var m = OneLine(message ?? string.Empty);
        return m.Length == 0 ? r : r.Length == 0 ? m : $"{r}: {m}";
    }

    /// <summary>Collapses whitespace and line breaks (kubelet messages span lines) and caps the length.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = string.Join(' ', text.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= MaxLength ? line : string.Concat(line.AsSpan(0, MaxLength - 3), "...");
    }
}
