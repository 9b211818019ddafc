using System.Security.Cryptography;
using System.Text;

namespace Berth.Stacks;

/// <summary>
/// Turns Compose names (which allow <c>_</c>, <c>.</c>, upper case, and a leading digit) into names
/// orchestrators accept. Converting is lossy, so callers register every result with a
/// <see cref="NameRegistry"/> to detect two inputs that become the same name.
/// </summary>
public static class DnsNames
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;

    /// <summary>True for an RFC 1035 label: lower-case letters, digits and '-', starting with a letter, at most 63 characters.</summary>
    public static bool IsDns1035Label(string value)
        => value.Length is > 0 and <= MaxLabelLength
           && value[0] is >= 'a' and <= 'z'
           && value[^1] != '-'
           && value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>True for an RFC 1123 label: like 1035 but may start with a digit.</summary>
    public static bool IsDns1123Label(string value)
        => value.Length is > 0 and <= MaxLabelLength
           && IsAlnum(value[0]) && IsAlnum(value[^1])
           && value.All(c => IsAlnum(c) || c == '-');

    /// <summary>True for an RFC 1123 subdomain: dot-separated 1123 labels, at most 253 characters.</summary>
    public static bool IsDns1123Subdomain(string value)
        => value.Length is > 0 and <= MaxSubdomainLength && value.Split('.').All(IsDns1123Label);

    /// <summary>
    /// Makes an RFC 1035 label: lower case, every other character becomes '-', runs of '-' collapse,
    /// a leading digit gets an 's' prefix, and a name longer than 63 is cut and given a short hash of
    /// the original so that two long names stay distinct.
    /// </summary>
    public static string ToDns1035Label(string value)
    {
        var label = Sanitize(value, allowDot: false);
        if (label.Length == 0 || label[0] is not (>= 'a' and <= 'z'))
        {
            label = "s-" + label;
        }

        return Fit(label.TrimEnd('-'), value, MaxLabelLength);
    }

    /// <summary>Makes an RFC 1123 subdomain (object names of Secrets, ConfigMaps, PVCs, Deployments ...).</summary>
    public static string ToDns1123Subdomain(string value)
    {
        var name = Sanitize(value, allowDot: true).Trim('-', '.');
        if (name.Length == 0)
        {
            name = "x";
        }

        return Fit(name, value, MaxSubdomainLength);
    }

    /// <summary>True when <paramref name="value"/> is a valid label value (at most 63, alphanumeric ends, <c>-_.</c> inside).</summary>
    public static bool IsLabelValue(string value)
        => value.Length == 0
           || (value.Length <= MaxLabelLength && IsAlnumAnyCase(value[0]) && IsAlnumAnyCase(value[^1])
               && value.All(c => IsAlnumAnyCase(c) || c is '-' or '_' or '.'));

    /// <summary>Makes a valid label value, keeping case; long values are cut and given a hash.</summary>
    public static string ToLabelValue(string value)
    {
        if (IsLabelValue(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(IsAlnumAnyCase(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var cleaned = builder.ToString().Trim('-', '_', '.');
        return Fit(cleaned.Length == 0 ? "x" : cleaned, value, MaxLabelLength);
    }

    /// <summary>True for a label key: optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsLabelKey(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && !IsDns1123Subdomain(key[..slash]))
        {
            return false;
        }

        return name.Length > 0 && IsLabelValue(name);
    }

    /// <summary>A short, stable hash of a name (8 hex digits), used to keep cut names unique.</summary>
    public static string ShortHash(string value)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..8];

    private static string Sanitize(string value, bool allowDot)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var raw in value)
        {
            var c = char.ToLowerInvariant(raw);
            var keep = (c is >= 'a' and <= 'z') || (c is >= '0' and <= '9') || (allowDot && c == '.');
            var next = keep ? c : '-';
            if (next == '-' && builder.Length > 0 && builder[^1] == '-')
            {
                continue;
            }

            builder.Append(next);
        }

        return builder.ToString();
    }

    private static string Fit(string name, string original, int max)
    {
        if (name.Length <= max)
        {
            return name;
        }

        var hash = ShortHash(original);
        return name[..(max - hash.Length - 1)].TrimEnd('-', '.', '_') + "-" + hash;
    }

    private static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static bool IsAlnumAnyCase(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');
}
