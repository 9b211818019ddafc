using System.Globalization;
using System.Text;

namespace Berth.StackApi;

/// <summary>Go duration text (time.ParseDuration / Duration.String units) ↔ nanoseconds.</summary>
internal static class GoDuration
{
    private static readonly (string Unit, long Nanoseconds)[] Units =
    [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("μs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ];

    public static bool TryParse(string text, out long nanoseconds)
    {
        nanoseconds = 0;
        var s = text.Trim();
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+'))
        {
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        decimal total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Units.FirstOrDefault(u => u.Unit == unit);
            if (match.Unit is null)
            {
                return false;
            }

            total += number * match.Nanoseconds;
        }

        if (total > long.MaxValue)
        {
            return false;
        }

        nanoseconds = (long)(negative ? -total : total);
        return true;
    }

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
