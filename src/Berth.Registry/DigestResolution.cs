namespace Berth.Registry;

/// <summary>The outcome of resolving one image reference: a digest, or a failure; never both.</summary>
/// <param name="Image">The reference as the caller wrote it.</param>
/// <param name="Reference">The parsed reference (null when it did not parse).</param>
/// <param name="Digest">The manifest digest (<c>sha256:…</c>) the tag points at.</param>
/// <param name="Failure">Why there is no digest.</param>
/// <param name="AlreadyPinned">The reference carried its digest: nothing was asked of the registry.</param>
public sealed record DigestResolution(string Image, ImageReference? Reference, string? Digest, RegistryFailure? Failure, bool AlreadyPinned)
{
    public bool IsResolved => Digest is not null;

    /// <summary>The normalized reference pinned to the resolved digest (tag kept), or null on failure.</summary>
    public ImageReference? Pinned => Digest is null ? null : Reference?.WithDigest(Digest);

    /// <summary>
    /// The image as the user wrote it with <c>@digest</c> appended (<c>busybox:1@sha256:…</c>), as docker stack deploy
    /// writes a pinned image; the image unchanged when it was already pinned; null on failure.
    /// </summary>
    public string? PinnedImage => Digest is null ? null : AlreadyPinned ? Image : $"{Image.Trim()}@{Digest}";

    internal static DigestResolution Resolved(string image, ImageReference reference, string digest)
        => new(image, reference, digest, null, AlreadyPinned: false);

    internal static DigestResolution Failed(string image, ImageReference? reference, RegistryFailureKind kind, string message)
        => new(image, reference, null, new RegistryFailure(kind, message), AlreadyPinned: false);

    public override string ToString() => Digest is not null ? $"{Image} -> {Digest}" : $"{Image}: {Failure}";
}
