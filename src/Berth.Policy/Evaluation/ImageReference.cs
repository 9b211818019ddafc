namespace Berth.Policy.Evaluation;

/// <summary>An image reference split the way the docker CLI does: registry (docker.io when none), path, tag, digest.</summary>
internal sealed record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    public const string DefaultRegistry = "docker.io";

    public static ImageReference Parse(string reference)
    {
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var digest = at >= 0 ? reference[(at + 1)..] : null;
        var name = at >= 0 ? reference[..at] : reference;
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        string? tag = null;
        if (colon > slash)
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        var first = name.IndexOf('/', StringComparison.Ordinal);
        if (first > 0)
        {
            var head = name[..first];
            if (head.Contains('.', StringComparison.Ordinal) || head.Contains(':', StringComparison.Ordinal) || head == "localhost")
            {
                return new ImageReference(head, name[(first + 1)..], tag, digest);
            }
        }

        return new ImageReference(DefaultRegistry, first > 0 ? name : $"library/{name}", tag, digest);
    }

    /// <summary>True when one of <paramref name="trimmedPrefixes"/> (no trailing slash) is this image's registry, or a registry/path prefix of it.</summary>
    public bool IsFromAny(string[] trimmedPrefixes)
    {
        foreach (var prefix in trimmedPrefixes)
        {
            if (string.Equals(prefix, Registry, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            // registry/path: compared in place rather than building "registry/repository" for every service.
            if (prefix.Length > Registry.Length && prefix[Registry.Length] == '/' && prefix.StartsWith(Registry, StringComparison.Ordinal))
            {
                var path = prefix.AsSpan(Registry.Length + 1);
                if (Repository.AsSpan().StartsWith(path, StringComparison.Ordinal) && (Repository.Length == path.Length || Repository[path.Length] == '/'))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="allowed"/> is this image's registry, or a registry/path prefix of it.</summary>
    public bool IsFrom(string allowed) => IsFromAny([allowed.TrimEnd('/')]);
}
