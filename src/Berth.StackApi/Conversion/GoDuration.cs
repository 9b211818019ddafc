using System.Globalization;
using System.Text;
using Berth.Compose.Transform;

namespace Berth.StackApi;

/// <summary>Go duration text ↔ nanoseconds: parsed by the Compose loader's parser, written in the stack JSON's short form.</summary>
internal static class GoDuration
{
    /// <summary>Go duration text to nanoseconds, by the Compose loader's parser (Go's units, and d/w as compose-go).</summary>
    public static bool TryParse(string text, out long nanoseconds) => DurationParser.TryParse(text.Trim(), out nanoseconds, out _);

    /// <summary>Whole hours, minutes and seconds (<c>1h2m3s</c>), else milliseconds, microseconds or nanoseconds.</summary>
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var sign = nanoseconds < 0 ? "-" : string.Empty;
        var n = nanoseconds == long.MinValue ? long.MaxValue : Math.Abs(nanoseconds);
        if (n % 1_000_000_000 != 0)
        {
            return n % 1_000_000 == 0 ? $"{sign}{n / 1_000_000}ms" : n % 1_000 == 0 ? $"{sign}{n / 1_000}us" : $"{sign}{n}ns";
        }

        var seconds = n / 1_000_000_000;
        var text = new StringBuilder(sign);
        if (seconds >= 3600)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds / 3600}h");
        }

        if (seconds % 3600 >= 60)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds % 3600 / 60}m");
        }

        if (seconds % 60 != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{seconds % 60}s");
        }

        return text.ToString();
    }
}
