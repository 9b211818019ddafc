namespace Berth.Compose.Tests.Parity;

/// <summary>
/// Per-file differences from `docker stack config` that are intended, each with its reason. A difference
/// not listed here fails the parity test.
/// </summary>
internal static class KnownDifferences
{
    public static readonly (string File, string PathPrefix, string Why)[] All =
    [
        ("docker-cli-stack-loader/full-example.yml", "secrets.secret4.file", "the secret names no source; docker/cli resolves the missing file to the project folder (a directory, which fails at deploy); Berth leaves it absent"),
        ("docker-cli-stack-loader/full-example.yml", "configs.config4.file", "as secrets.secret4.file"),
        ("docker-cli-stack-loader/full-example.yml", "volumes.cluster-volume.x-cluster-spec", "x- extensions are user data: Berth keeps them verbatim; docker/cli interprets x-cluster-spec (Swarm cluster volumes) and converts its units"),
    ];

    public static bool IsExplained(string file, string difference)
        => All.Any(k => k.File == file && difference.StartsWith(k.PathPrefix, StringComparison.Ordinal));
}
