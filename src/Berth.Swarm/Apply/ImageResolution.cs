namespace Berth.Swarm.Apply;

/// <summary><c>--resolve-image</c>, as docker stack deploy takes it.</summary>
public enum ImageResolution
{
    /// <summary>Ask the registry for the digest of every image the deploy writes and pin it (docker's default).</summary>
    Always,

    /// <summary>Pin a digest only when the image reference changed; an unchanged reference keeps the running digest.</summary>
    Changed,

    /// <summary>Send the reference as written; every node resolves the tag itself.</summary>
    Never,
}
