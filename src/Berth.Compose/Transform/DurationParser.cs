using System.Globalization;
using System.Text;

namespace Berth.Compose.Transform;

/// <summary>
/// Go's <c>time.ParseDuration</c> and <c>Duration.String</c>, reimplemented so that Compose durations
/// are read and printed exactly as docker compose does (<c>90s</c> prints as <c>1m30s</c>, <c>1h</c> as <c>1h0m0s</c>).
/// </summary>
/// <remarks>
/// Besides Go's units (ns, us, µs, μs, ms, s, m, h) the parser accepts <c>d</c> and <c>w</c>: compose-go
/// parses durations with a day/week-aware parser, so files using <c>1d</c> load there and must load here too.
/// </remarks>
public static class DurationParser
{
    public const long Nanosecond = 1;
    public const long Microsecond = 1000 * Nanosecond;
    public const long Millisecond = 1000 * Microsecond;
    public const long Second = 1000 * Millisecond;
    public const long Minute = 60 * Second;
    public const long Hour = 60 * Minute;
    public const long Day = 24 * Hour;
    public const long Week = 7 * Day;

    /// <summary>Parses a duration; returns an error message when it is not one.</summary>
    public static bool TryParse(string text, out long nanoseconds, out string? error)
    {
        nanoseconds = 0;
        error = null;
        var s = text;
        if (s.Length == 0)
        {
            error = "empty duration";
            return false;
        }

        var negative = false;
        var i = 0;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i++;
        }

        // Go accepts a bare "0" (with or without sign) and nothing else without a unit.
        if (s[i..] == "0")
        {
            return true;
        }

        if (i == s.Length)
        {
            error = "missing number";
            return false;
        }

        decimal total = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            var integerDigits = s[start..i];
            var fractionDigits = string.Empty;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fracStart = i;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                fractionDigits = s[fracStart..i];
            }

            if (integerDigits.Length == 0 && fractionDigits.Length == 0)
            {
                error = $"expected a number at '{s[start..]}'";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unitText = s[unitStart..i];
            if (unitText.Length == 0)
            {
                error = $"missing unit after '{s[start..i]}'";
                return false;
            }

            if (UnitNanoseconds(unitText) is not { } unit)
            {
                error = $"unknown unit '{unitText}'";
                return false;
            }

            // decimal keeps 28 significant digits, enough for any int64 nanosecond count; 40 digits would not parse.
            if (integerDigits.Length > 20 || fractionDigits.Length > 20)
            {
                error = "duration out of range";
                return false;
            }

            var value = integerDigits.Length == 0 ? 0m : decimal.Parse(integerDigits, CultureInfo.InvariantCulture);
            if (fractionDigits.Length > 0)
            {
                value += decimal.Parse("0." + fractionDigits, CultureInfo.InvariantCulture);
            }

            if (value > (decimal)long.MaxValue / unit)
            {
                error = "duration out of range";
                return false;
            }

            // Go truncates sub-nanosecond fractions of each component.
            total += decimal.Truncate(value * unit);
            if (total > long.MaxValue)
            {
                error = "duration out of range";
                return false;
            }
        }

        nanoseconds = negative ? -(long)total : (long)total;
        return true;
    }

    /// <summary>Prints a duration the way Go's <c>time.Duration.String</c> does.</summary>
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var sb = new StringBuilder();
        if (u < Second)
        {
            // Sub-second values use the largest unit that keeps an integer part: 1.5ms, 2µs, 300ns.
            var (precision, unit) = u switch
            {
                < Microsecond => (0, "ns"),
                < Millisecond => (3, "µs"),
                _ => (6, "ms"),
            };
            sb.Append(FormatFraction(u, precision, out var whole));
            sb.Insert(0, whole.ToString(CultureInfo.InvariantCulture));
            sb.Append(unit);
        }
        else
        {
            var fraction = FormatFraction(u, 9, out var seconds);
            var minutes = seconds / 60;
            var hours = minutes / 60;
            var text = hours > 0 ? $"{hours}h{minutes % 60}m" : minutes > 0 ? $"{minutes}m" : string.Empty;
            sb.Append(text).Append(CultureInfo.InvariantCulture, $"{seconds % 60}{fraction}s");
        }

        if (negative)
        {
            sb.Insert(0, '-');
        }

        return sb.ToString();
    }

    // Splits off the lowest `precision` decimal digits as ".ddd" without trailing zeros ("" when all zero).
    private static string FormatFraction(ulong value, int precision, out ulong whole)
    {
        var divisor = 1UL;
        for (var k = 0; k < precision; k++)
        {
            divisor *= 10;
        }

        whole = value / divisor;
        var rest = value % divisor;
        if (rest == 0)
        {
            return string.Empty;
        }

        var digits = rest.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        return "." + digits;
    }

    private static long? UnitNanoseconds(string unit) => unit switch
    {
        "ns" => Nanosecond,
        "us" or "\u00b5s" or "\u03bcs" => Microsecond,
        "ms" => Millisecond,
        "s" => Second,
        "m" => Minute,
        "h" => Hour,
        "d" => Day,
        "w" => Week,
        _ => null,
    };
}
