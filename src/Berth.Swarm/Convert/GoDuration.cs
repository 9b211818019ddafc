using System.Globalization;

namespace Berth.Swarm.Convert;

/// <summary>
/// Parses the Go duration strings the canonical form holds (<c>1m30s</c>, <c>500ms</c>). The loader has
/// already validated them, so this only needs the units Go prints.
/// </summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        var negative = s[0] == '-';
        if (negative || s[0] == '+')
        {
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        decimal totalNanos = 0;
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

            decimal? nanos = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (nanos is null)
            {
                return false;
            }

            totalNanos += number * nanos.Value;
        }

        // TimeSpan ticks are 100 ns; the engine's unit is 1 ns, so sub-tick precision is lost (never used in practice).
        var ticks = (long)(totalNanos / 100m);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }
}
