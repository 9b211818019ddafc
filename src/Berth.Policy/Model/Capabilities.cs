namespace Berth.Policy.Model;

/// <summary>Linux capability names as Docker accepts them: any case, with or without <c>CAP_</c>.</summary>
public static class Capabilities
{
    public static string Normalize(string name)
    {
        var upper = name.Trim().ToUpperInvariant();
        return upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper[4..] : upper;
    }
}
