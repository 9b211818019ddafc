using System.Globalization;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>Kubernetes quantities from Compose byte counts and CPU numbers, in the spelling a person would write.</summary>
internal static class Quantities
{
    public static ResourceQuantity Bytes(long bytes) => new(BytesText(bytes));

    /// <summary>Exact binary multiples get a suffix (512Mi); anything else stays a byte count.</summary>
    public static string BytesText(long bytes)
    {
        string[] suffixes = ["Ki", "Mi", "Gi", "Ti", "Pi"];
        if (bytes <= 0)
        {
            return bytes.ToString(CultureInfo.InvariantCulture);
        }

        var value = bytes;
        string? suffix = null;
        foreach (var s in suffixes)
        {
            if (value % 1024 != 0)
            {
                break;
            }

            value /= 1024;
            suffix = s;
        }

        return value.ToString(CultureInfo.InvariantCulture) + (suffix ?? string.Empty);
    }

    /// <summary>CPUs (0.5, 2) as millicores when fractional (500m), whole numbers as they are.</summary>
    public static string? Cpu(double? cpus)
    {
        if (cpus is not { } value || value <= 0)
        {
            return null;
        }

        var milli = (long)Math.Round(value * 1000);
        return milli % 1000 == 0 ? (milli / 1000).ToString(CultureInfo.InvariantCulture) : milli.ToString(CultureInfo.InvariantCulture) + "m";
    }

    /// <summary>A Docker size string (64m, 1g, 1024) as a quantity string; null when unreadable.</summary>
    public static string? FromDockerSize(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var digits = new string([.. t.TakeWhile(char.IsAsciiDigit)]);
        if (digits.Length == 0 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }

        long factor = t[digits.Length..].TrimEnd('b') switch
        {
            "" => 1,
            "k" => 1024,
            "m" => 1024 * 1024,
            "g" => 1024L * 1024 * 1024,
            "t" => 1024L * 1024 * 1024 * 1024,
            _ => 0,
        };
        return factor == 0 ? null : BytesText(n * factor);
    }
}
