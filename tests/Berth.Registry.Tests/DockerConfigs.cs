using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Registry.Tests;

/// <summary>Temp Docker config folders (what DOCKER_CONFIG points at) with a config.json written as the docker CLI writes it.</summary>
public static class DockerConfigs
{
    /// <summary>A folder whose config.json has <c>auths.&lt;host&gt;.auth</c> = base64(user:password).</summary>
    public static string WithAuth(string parent, string host, string user, string password)
        => Write(parent, new JsonObject
        {
            ["auths"] = new JsonObject
            {
                [host] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)) },
            },
        });

    /// <summary>A folder whose config.json is <paramref name="document"/>.</summary>
    public static string Write(string parent, JsonObject document)
    {
        var directory = Path.Combine(parent, "docker-config-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), document.ToJsonString());
        return directory;
    }

    /// <summary>Resolver options reading <paramref name="directory"/> as DOCKER_CONFIG (and nothing from the test process's environment).</summary>
    public static DigestResolverOptions Options(string? directory, TimeSpan? timeout = null)
        => new()
        {
            Environment = name => name switch
            {
                "DOCKER_CONFIG" => directory,
                "HOME" => directory ?? Path.GetTempPath(),
                _ => null,
            },
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
}
