using System.Globalization;
using System.Numerics;

namespace Berth.Compose.Yaml;

/// <summary>
/// Resolves plain scalars as go-yaml v3 does (YAML 1.2 core schema, plus Go's integer prefixes:
/// a leading 0 means octal, so <c>mode: 0440</c> is 288 as in docker and compose-go).
/// </summary>
internal static class ScalarResolver
{
    public static (ScalarKind Kind, string Canonical) Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return (ScalarKind.Null, string.Empty);
            case "true" or "True" or "TRUE":
                return (ScalarKind.Bool, "true");
            case "false" or "False" or "FALSE":
                return (ScalarKind.Bool, "false");
            case ".nan" or ".NaN" or ".NAN":
                return (ScalarKind.Float, ".nan");
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return (ScalarKind.Float, ".inf");
            case "-.inf" or "-.Inf" or "-.INF":
                return (ScalarKind.Float, "-.inf");
            default:
                break;
        }

        var first = text[0];
        if (!(char.IsAsciiDigit(first) || first is '-' or '+' or '.'))
        {
            return (ScalarKind.String, text);
        }

        if (TryParseInteger(text, out var integer))
        {
            return (ScalarKind.Int, integer.ToString(CultureInfo.InvariantCulture));
        }

        if (IsFloat(text))
        {
            return (ScalarKind.Float, text);
        }

        return (ScalarKind.String, text);
    }

    private static bool TryParseInteger(string text, out BigInteger value)
    {
        value = default;
        var span = text.AsSpan();
        var negative = false;
        if (span[0] is '-' or '+')
        {
            negative = span[0] == '-';
            span = span[1..];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        var digits = span.ToString().Replace("_", string.Empty, StringComparison.Ordinal);
        if (digits.Length == 0)
        {
            return false;
        }

        int radix;
        string body;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            (radix, body) = (16, digits[2..]);
        }
        else if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            (radix, body) = (8, digits[2..]);
        }
        else if (digits.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
        {
            (radix, body) = (2, digits[2..]);
        }
        else if (digits.Length > 1 && digits[0] == '0')
        {
            (radix, body) = (8, digits[1..]);
        }
        else
        {
            (radix, body) = (10, digits);
        }

        if (body.Length == 0 || body.Length > 64)
        {
            return false;
        }

        BigInteger result = 0;
        foreach (var c in body)
        {
            var d = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (d >= radix)
            {
                return false;
            }

            result = (result * radix) + d;
        }

        // Go's ParseInt is 64-bit; larger values stay strings, as in compose-go.
        result = negative ? -result : result;
        if (result > long.MaxValue || result < long.MinValue)
        {
            return false;
        }

        value = result;
        return true;
    }

    private static bool IsFloat(string text)
    {
        var s = text.AsSpan();
        var i = 0;
        if (i < s.Length && s[i] is '-' or '+')
        {
            i++;
        }

        var mantissaDigits = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_'))
        {
            mantissaDigits += s[i] == '_' ? 0 : 1;
            i++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                mantissaDigits++;
                i++;
            }
        }

        if (mantissaDigits == 0)
        {
            return false;
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '-' or '+')
            {
                i++;
            }

            var expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                expDigits++;
                i++;
            }

            if (expDigits == 0)
            {
                return false;
            }
        }

        return i == s.Length;
    }
}
