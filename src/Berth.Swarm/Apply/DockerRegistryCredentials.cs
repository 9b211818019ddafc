using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;

namespace Berth.Swarm.Apply;

/// <summary>
/// <c>--with-registry-auth</c>: the credentials the docker CLI stored for each registry in <c>$DOCKER_CONFIG/config.json</c>
/// (<c>auths</c>: base64 <c>user:password</c> or an identity token). Credential helpers (<c>credsStore</c>,
/// <c>credHelpers</c>) are not run: a registry known only to a helper gets no credentials and a warning.
/// Never printed: only registry names appear in messages.
/// </summary>
internal sealed class DockerRegistryCredentials
{
    private const string DockerHub = "docker.io";
    private readonly Dictionary<string, AuthConfig> _byRegistry;
    private readonly HashSet<string> _helperOnly;
    private readonly bool _defaultStore;
    private readonly Action<string> _warn;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    private DockerRegistryCredentials(Dictionary<string, AuthConfig> byRegistry, HashSet<string> helperOnly, bool defaultStore, Action<string> warn)
    {
        _byRegistry = byRegistry;
        _helperOnly = helperOnly;
        _defaultStore = defaultStore;
        _warn = warn;
    }

    /// <summary>Reads <c>$DOCKER_CONFIG/config.json</c> (default <c>~/.docker/config.json</c>); a missing file means no credentials.</summary>
    public static DockerRegistryCredentials Load(Func<string, string?> environment, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var directory = environment("DOCKER_CONFIG") is { Length: > 0 } d ? d : Path.Combine(environment("HOME") ?? string.Empty, ".docker");
        var path = Path.Combine(directory, "config.json");
        return File.Exists(path) ? Parse(File.ReadAllText(path), warn) : new DockerRegistryCredentials([], [], false, warn);
    }

    public static DockerRegistryCredentials Parse(string configJson, Action<string> warn)
    {
        var byRegistry = new Dictionary<string, AuthConfig>(StringComparer.Ordinal);
        var helperOnly = new HashSet<string>(StringComparer.Ordinal);
        var defaultStore = false;
        try
        {
            using var document = JsonDocument.Parse(configJson);
            var root = document.RootElement;
            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    if (FromEntry(entry.Name, entry.Value) is { } auth)
                    {
                        byRegistry[RegistryOfKey(entry.Name)] = auth;
                    }
                }
            }

            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in helpers.EnumerateObject())
                {
                    helperOnly.Add(RegistryOfKey(entry.Name));
                }
            }

            defaultStore = root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 };
        }
        catch (JsonException)
        {
            warn("warning: the docker CLI config.json is not valid JSON; deploying without registry credentials");
        }

        return new DockerRegistryCredentials(byRegistry, helperOnly, defaultStore, warn);
    }

    /// <summary>The credentials for the registry <paramref name="image"/> is pulled from, or null (with a warning once per registry when a helper holds them).</summary>
    public AuthConfig? For(string image)
    {
        var registry = RegistryOf(image);
        if (_byRegistry.TryGetValue(registry, out var auth))
        {
            return auth;
        }

        if ((_helperOnly.Contains(registry) || _defaultStore) && _warned.Add(registry))
        {
            _warn($"warning: the credentials for {registry} are kept by a docker credential helper, which Berth does not run; sending none (run 'docker login {registry}' without a helper, or deploy with docker)");
        }

        return null;
    }

    /// <summary>The registry host of an image reference, docker's way: the first path part when it has a dot or a port or is localhost; else Docker Hub.</summary>
    public static string RegistryOf(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return DockerHub;
        }

        var first = image[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            ? Canonical(first)
            : DockerHub;
    }

    /// <summary>An <c>auths</c> key (<c>https://index.docker.io/v1/</c>, <c>registry.example.com</c>, <c>http://host:5000</c>) as a registry host.</summary>
    public static string RegistryOfKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        var slash = host.IndexOf('/', StringComparison.Ordinal);
        return Canonical(slash >= 0 ? host[..slash] : host);
    }

    private static string Canonical(string host)
    {
        var lower = host.ToLowerInvariant();
        return lower is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? DockerHub : lower;
    }

    private static AuthConfig? FromEntry(string key, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var token = entry.TryGetProperty("identitytoken", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (token is { Length: > 0 })
        {
            return new AuthConfig { ServerAddress = key, IdentityToken = token };
        }

        if (!entry.TryGetProperty("auth", out var a) || a.ValueKind != JsonValueKind.String || a.GetString() is not { Length: > 0 } encoded)
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(System.Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? null : new AuthConfig { ServerAddress = key, Username = decoded[..colon], Password = decoded[(colon + 1)..] };
    }
}
