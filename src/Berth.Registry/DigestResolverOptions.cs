namespace Berth.Registry;

/// <summary>How <see cref="DigestResolver"/> reaches registries and finds credentials.</summary>
public sealed record DigestResolverOptions
{
    /// <summary>
    /// The Docker config file with the credentials; null: <c>$DOCKER_CONFIG/config.json</c>, else
    /// <c>~/.docker/config.json</c>, as the docker CLI looks for it.
    /// </summary>
    public string? DockerConfigFile { get; init; }

    /// <summary>The longest one resolution (every request it makes, token requests included) may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock token lifetimes are measured on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Reads environment variables (DOCKER_CONFIG, HOME); tests give their own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}
