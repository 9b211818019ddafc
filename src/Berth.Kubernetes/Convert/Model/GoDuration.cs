using System.Globalization;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>Reads the Go duration strings the loader normalises durations to (<c>1m30s</c>, <c>500ms</c>).</summary>
internal static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        double totalMs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s[start..i], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            double factor = s[unitStart..i] switch
            {
                "h" => 3_600_000,
                "m" => 60_000,
                "s" => 1000,
                "ms" => 1,
                "us" or "µs" => 0.001,
                "ns" => 0.000001,
                "d" => 86_400_000,
                _ => double.NaN,
            };
            if (double.IsNaN(factor))
            {
                return false;
            }

            totalMs += number * factor;
        }

        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Whole seconds, rounded up (Kubernetes fields are integer seconds; rounding down could make 500ms zero).</summary>
    public static int CeilSeconds(TimeSpan value) => (int)Math.Min(int.MaxValue, Math.Ceiling(value.TotalSeconds));
}
