namespace Berth.Compose.Tests.Parity;

/// <summary>
/// Per-file differences from `docker stack config` that are intended, each with its reason. A difference
/// not listed here fails the parity test.
/// </summary>
internal static class KnownDifferences
{
    public static readonly (string File, string PathPrefix, string Why)[] All =
    [
    ];

    public static bool IsExplained(string file, string difference)
        => All.Any(k => k.File == file && difference.StartsWith(k.PathPrefix, StringComparison.Ordinal));
}
