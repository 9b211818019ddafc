namespace Berth.Kubernetes.Convert.Output;

/// <summary>An image reference split the way Kustomize and Helm values address it: repository, tag, digest (each may be empty).</summary>
internal readonly record struct ImageReference(string Repository, string Tag, string Digest)
{
    public static ImageReference Parse(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digest = at >= 0 ? image[(at + 1)..] : string.Empty;
        var rest = at >= 0 ? image[..at] : image;

        // A colon before the last '/' is a registry port (localhost:5000/app), not a tag.
        var colon = rest.LastIndexOf(':');
        return colon > rest.LastIndexOf('/')
            ? new ImageReference(rest[..colon], rest[(colon + 1)..], digest)
            : new ImageReference(rest, string.Empty, digest);
    }
}
