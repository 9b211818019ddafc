using System.Text;

namespace Berth.Compose.Loading;

/// <summary>Compose project names: lower-case letters, digits, '-' and '_', starting with a letter or digit.</summary>
public static class ProjectNames
{
    public static bool IsValid(string name)
        => name.Length > 0
           && (char.IsAsciiLetterLower(name[0]) || char.IsAsciiDigit(name[0]))
           && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    /// <summary>Derives a valid name from a folder name: lower-cased, other characters dropped (as compose-go does).</summary>
    public static string Normalize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || ((c is '-' or '_') && sb.Length > 0))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
