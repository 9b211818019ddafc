using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Berth.Swarm.Apply;

/// <summary>
/// Reads the docker CLI's configuration folder (<c>$DOCKER_CONFIG</c>, default <c>~/.docker</c>): the current context
/// in config.json and each context's endpoint in <c>contexts/meta/&lt;sha256(name)&gt;/meta.json</c>, with its TLS files in
/// <c>contexts/tls/&lt;sha256(name)&gt;/docker/</c>. Only reads; parsed with JsonDocument so no reflection is needed (AOT).
/// </summary>
internal sealed class DockerContextStore(string configDirectory)
{
    /// <summary>The context that means "DOCKER_HOST or the local socket", which has no folder of its own.</summary>
    public const string DefaultContext = "default";

    public string ConfigDirectory { get; } = configDirectory;

    /// <summary>config.json's <c>currentContext</c>, or null when the file or the key is missing.</summary>
    public string? CurrentContext()
    {
        var path = Path.Combine(ConfigDirectory, "config.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var doc = Parse(path, "docker CLI configuration");
        return doc.RootElement.ValueKind == JsonValueKind.Object
               && doc.RootElement.TryGetProperty("currentContext", out var current)
               && current.ValueKind == JsonValueKind.String
               && current.GetString() is { Length: > 0 } name
            ? name
            : null;
    }

    /// <summary>The docker endpoint of a named context; fails with a clear message when the context does not exist.</summary>
    public EngineEndpoint Endpoint(string name)
    {
        var id = ContextId(name);
        var meta = Path.Combine(ConfigDirectory, "contexts", "meta", id, "meta.json");
        if (!File.Exists(meta))
        {
            throw new SwarmEngineException($"docker context \"{name}\" not found (looked for {meta}); list contexts with \"docker context ls\"");
        }

        using var doc = Parse(meta, $"docker context \"{name}\"");
        if (!TryGet(doc.RootElement, "Endpoints", out var endpoints) || !TryGet(endpoints, "docker", out var docker)
            || !TryGet(docker, "Host", out var host) || host.ValueKind != JsonValueKind.String || host.GetString() is not { Length: > 0 } hostText)
        {
            throw new SwarmEngineException($"docker context \"{name}\" has no docker endpoint (Endpoints.docker.Host in {meta})");
        }

        var skipVerify = TryGet(docker, "SkipTLSVerify", out var skip) && skip.ValueKind == JsonValueKind.True;
        var uri = EngineEndpointResolver.ParseHost(hostText, $"docker context \"{name}\"");

        // A context keeps its TLS files in its own folder; without them, a tcp endpoint is plain HTTP (as the docker CLI).
        var tlsDirectory = Path.Combine(ConfigDirectory, "contexts", "tls", id, "docker");
        EngineTls? tls = uri.Scheme == "tcp" && (Directory.Exists(tlsDirectory) || skipVerify) ? new EngineTls(tlsDirectory, Verify: !skipVerify) : null;
        return new EngineEndpoint(uri, $"docker context \"{name}\"", tls);
    }

    /// <summary>The folder name the docker CLI gives a context: the hex SHA-256 of its name.</summary>
    public static string ContextId(string name)
        => System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value);
    }

    private static JsonDocument Parse(string path, string what)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new SwarmEngineException($"cannot read the {what} at {path}: {ex.Message}", ex);
        }
    }
}
