namespace Berth.Compose.Yaml;

/// <summary>
/// Bounds on hostile input. Alias bombs ("billion laughs") took down the Kubernetes API server
/// (CVE-2019-11253); these limits keep a Compose file from doing the same to Berth.
/// </summary>
public sealed record LoadLimits
{
    public static LoadLimits Default { get; } = new();

    /// <summary>Largest file accepted, in bytes.</summary>
    public long MaxDocumentBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and sequences.</summary>
    public int MaxDepth { get; init; } = 128;

    /// <summary>Most nodes a document may hold once every alias is expanded.</summary>
    public long MaxExpandedNodes { get; init; } = 4_000_000;
}
