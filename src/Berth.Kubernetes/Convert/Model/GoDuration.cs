using Berth.Compose.Transform;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>Reads the Go duration strings the loader normalises durations to (<c>1m30s</c>, <c>500ms</c>).</summary>
internal static class GoDuration
{
    /// <summary>A duration of zero or more; a negative one is refused (no Kubernetes field it feeds takes one).</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !DurationParser.TryParse(text.Trim(), out var nanoseconds, out _) || nanoseconds < 0)
        {
            return false;
        }

        value = TimeSpan.FromTicks(nanoseconds / 100);
        return true;
    }

    /// <summary>Whole seconds, rounded up (Kubernetes fields are integer seconds; rounding down could make 500ms zero).</summary>
    public static int CeilSeconds(TimeSpan value) => (int)Math.Min(int.MaxValue, Math.Ceiling(value.TotalSeconds));
}
