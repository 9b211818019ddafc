using Berth.Compose.Diagnostics;

namespace Berth.Compose.Yaml;

/// <summary>
/// An immutable YAML value that remembers where it came from. The whole loading pipeline
/// (interpolation, merge, extends, canonicalisation) works on these trees, so every value
/// in the final project can still be traced to its file and line.
/// </summary>
/// <remarks>
/// Aliases share subtrees instead of copying them; <see cref="Weight"/> counts the nodes a
/// full expansion would produce, which is how alias bombs are detected.
/// </remarks>
public abstract class ComposeNode
{
    private protected ComposeNode(SourceLocation location, string? tag, long weight)
    {
        Location = location;
        Tag = tag;
        Weight = weight;
    }

    public SourceLocation Location { get; }

    /// <summary>An explicit local tag such as <c>!reset</c> or <c>!override</c>; null when none.</summary>
    public string? Tag { get; }

    /// <summary>The number of nodes in this subtree once every alias is expanded.</summary>
    public long Weight { get; }

    public bool HasTag(string tag) => string.Equals(Tag, tag, StringComparison.Ordinal);

    /// <summary>Returns the same node without its tag (used once merge tags have been applied).</summary>
    public abstract ComposeNode WithoutTag();

    /// <summary>Structural equality, ignoring locations and tags.</summary>
    public abstract bool SameValueAs(ComposeNode other);
}
