using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text.RegularExpressions;

namespace Berth.Registry;

/// <summary>
/// An image reference normalized as docker normalizes it: <c>busybox</c> is <c>docker.io/library/busybox:latest</c>,
/// the first path component is a registry host only when it looks like one (a dot, a port, <c>localhost</c>), and a
/// reference with <c>@sha256:…</c> is already pinned.
/// </summary>
/// <param name="Registry">The registry host as written (with its port), <c>docker.io</c> for Docker Hub.</param>
/// <param name="Repository">The repository path, <c>library/busybox</c> for an official image.</param>
/// <param name="Tag">The tag; <c>latest</c> when neither a tag nor a digest was written, null for a digest-only reference.</param>
/// <param name="Digest">The pinned digest (<c>sha256:…</c>), or null.</param>
public sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>Docker Hub's name in references.</summary>
    public const string DockerHub = "docker.io";

    private const string LegacyDockerHub = "index.docker.io";

    /// <summary>The host the distribution API answers on: Docker Hub's API lives on registry-1.docker.io.</summary>
    public string ApiHost => Registry == DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>
    /// Whether the registry is reached over plain HTTP: loopback hosts (127.0.0.0/8, localhost, ::1), which docker
    /// treats as insecure registries by default. Every other registry is HTTPS.
    /// </summary>
    public bool IsLoopback
    {
        get
        {
            var host = HostWithoutPort(Registry);
            return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        }
    }

    /// <summary>The canonical form, <c>docker.io/library/busybox:1</c> (with <c>@digest</c> when pinned).</summary>
    public override string ToString()
        => $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    /// <summary>The reference pinned to <paramref name="digest"/>, tag kept: <c>127.0.0.1:5000/x:1@sha256:…</c>.</summary>
    public ImageReference WithDigest(string digest) => this with { Digest = digest };

    /// <summary>Parses <paramref name="image"/>; on failure <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryParse(string image, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        if (string.IsNullOrWhiteSpace(image))
        {
            error = "the image reference is empty";
            return false;
        }

        var rest = image.Trim();
        string? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestPattern().IsMatch(digest))
            {
                error = $"'{image}': '{digest}' is not a digest (expected sha256: and 64 hexadecimal digits)";
                return false;
            }
        }

        // The tag follows the last ':' after the last '/': a ':' before it belongs to the registry's port.
        string? tag = null;
        var colon = rest.LastIndexOf(':');
        if (colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!TagPattern().IsMatch(tag))
            {
                error = $"'{image}': '{tag}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')";
                return false;
            }
        }

        var (registry, repository) = SplitRegistry(rest);
        if (!HostPattern().IsMatch(registry))
        {
            error = $"'{image}': '{registry}' is not a valid registry host";
            return false;
        }

        if (!RepositoryPattern().IsMatch(repository))
        {
            error = $"'{image}': '{repository}' is not a valid repository name (lowercase letters, digits and separators '.', '_', '__', '-', '/')";
            return false;
        }

        reference = new ImageReference(registry, repository, tag ?? (digest is null ? "latest" : null), digest);
        error = null;
        return true;
    }

    // As docker's reference normalization: the first component is a host when it has a '.', a ':', is localhost, or
    // has uppercase letters (which a repository cannot have); otherwise the whole name is a Docker Hub repository.
    private static (string Registry, string Repository) SplitRegistry(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string registry;
        string repository;
        if (slash < 0)
        {
            (registry, repository) = (DockerHub, name);
        }
        else
        {
            var first = name[..slash];
            var isHost = first.Contains('.', StringComparison.Ordinal)
                || first.Contains(':', StringComparison.Ordinal)
                || first == "localhost"
                || !string.Equals(first, first.ToLowerInvariant(), StringComparison.Ordinal);
            (registry, repository) = isHost ? (first, name[(slash + 1)..]) : (DockerHub, name);
        }

        if (registry == LegacyDockerHub)
        {
            registry = DockerHub;
        }

        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        return (registry, repository);
    }

    private static string HostWithoutPort(string registry)
    {
        if (registry.StartsWith('['))
        {
            var end = registry.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? registry[1..end] : registry;
        }

        var colon = registry.LastIndexOf(':');
        return colon >= 0 ? registry[..colon] : registry;
    }

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();
}
