using System.Globalization;

namespace Berth.Compose.Transform;

/// <summary>
/// Compose byte values (<c>512m</c>, <c>1gb</c>, <c>2048k</c>, <c>1.5g</c>) to a byte count, with binary
/// multiples as docker's go-units <c>RAMInBytes</c> (which compose-go uses): k = 1024, m = 1024², …
/// </summary>
/// <remarks>
/// Accepted: a decimal number, an optional space, an optional unit letter (b, k, m, g, t, p; any case),
/// an optional <c>i</c> and an optional <c>b</c> — so <c>1g</c>, <c>1gb</c>, <c>1GiB</c> and <c>1 GB</c> are equal.
/// A bare integer (also negative, e.g. <c>memswap_limit: -1</c> for unlimited) is a byte count.
/// </remarks>
internal static class ByteSizeParser
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.Trim();
        if (s.Length == 0)
        {
            return false;
        }

        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out bytes))
        {
            return true;
        }

        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        var number = s[..i];
        if (number.Length == 0 || number[0] == '.' || number[^1] == '.' || number.Contains("..", StringComparison.Ordinal)
            || number.Length > 24
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        if (i < s.Length && s[i] == ' ')
        {
            i++;
        }

        var unit = s[i..].ToLowerInvariant();
        long multiplier = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" or "ki" => 1L << 10,
            "m" or "mb" or "mib" or "mi" => 1L << 20,
            "g" or "gb" or "gib" or "gi" => 1L << 30,
            "t" or "tb" or "tib" or "ti" => 1L << 40,
            "p" or "pb" or "pib" or "pi" => 1L << 50,
            _ => 0,
        };
        if (multiplier == 0)
        {
            return false;
        }

        if (amount > (decimal)long.MaxValue / multiplier)
        {
            return false;
        }

        var result = decimal.Truncate(amount * multiplier);
        if (result > long.MaxValue)
        {
            return false;
        }

        bytes = (long)result;
        return true;
    }
}
