namespace Berth.Swarm.Apply;

/// <summary>
/// Chooses the engine endpoint with the docker CLI's precedence: <c>DOCKER_HOST</c> &gt; <c>DOCKER_CONTEXT</c> &gt;
/// config.json's <c>currentContext</c> &gt; the local socket. TLS from <c>DOCKER_TLS_VERIFY</c>/<c>DOCKER_TLS</c> and
/// <c>DOCKER_CERT_PATH</c> applies to DOCKER_HOST and the local socket (the "default" context), as in the docker CLI;
/// a named context carries its own TLS settings.
/// </summary>
internal static class EngineEndpointResolver
{
    /// <summary>Resolves from the given environment (a lookup, so tests need not touch the process environment).</summary>
    public static EngineEndpoint Resolve(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var configDirectory = NonEmpty(environment("DOCKER_CONFIG")) ?? Path.Combine(Home(environment), ".docker");

        if (NonEmpty(environment("DOCKER_HOST")) is { } host)
        {
            return WithEnvironmentTls(new EngineEndpoint(ParseHost(host, "DOCKER_HOST"), "DOCKER_HOST", null), environment, configDirectory);
        }

        var store = new DockerContextStore(configDirectory);
        var context = NonEmpty(environment("DOCKER_CONTEXT")) ?? store.CurrentContext();
        if (context is not null && context != DockerContextStore.DefaultContext)
        {
            return WithDefaultPort(store.Endpoint(context));
        }

        return WithEnvironmentTls(new EngineEndpoint(new Uri(EngineEndpoint.DefaultHost), "default", null), environment, configDirectory);
    }

    /// <summary>Parses a docker host as the CLI accepts it: unix:// and tcp:// (no scheme means tcp); ssh:// and others are refused clearly.</summary>
    public static Uri ParseHost(string host, string source)
    {
        var text = host.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "tcp://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new SwarmEngineException($"{source}: invalid docker host \"{host}\"; use unix:///path/to/docker.sock or tcp://host:port");
        }

        return uri.Scheme switch
        {
            "unix" when uri.AbsolutePath.Length > 1 => uri,
            "tcp" when uri.Host.Length > 0 => uri,
            "ssh" => throw new SwarmEngineException($"{source}: ssh:// docker hosts are not supported by berth yet; only unix:// and tcp:// (with TLS) are") { Hint = SshHint(uri) },
            _ => throw new SwarmEngineException($"{source}: unsupported docker host \"{host}\"; use unix:///path/to/docker.sock or tcp://host:port"),
        };
    }

    /// <summary>How to reach the same engine without ssh support: forward its socket and point DOCKER_HOST at the local end.</summary>
    private static string SshHint(Uri uri)
    {
        // Only the user name: a password in the URI must not be printed.
        var user = uri.UserInfo.Split(':')[0];
        var target = user.Length > 0 ? $"{Uri.UnescapeDataString(user)}@{uri.Host}" : uri.Host;
        var port = uri.Port > 0 && uri.Port != 22 ? $" -p {uri.Port}" : string.Empty;
        return $"forward the engine's socket, then point DOCKER_HOST at it: ssh -nNT{port} -L /tmp/docker.sock:/var/run/docker.sock {target} & export DOCKER_HOST=unix:///tmp/docker.sock";
    }

    private static EngineEndpoint WithEnvironmentTls(EngineEndpoint endpoint, Func<string, string?> environment, string configDirectory)
    {
        var verify = NonEmpty(environment("DOCKER_TLS_VERIFY")) is not null;
        var tls = verify || NonEmpty(environment("DOCKER_TLS")) is not null;
        if (!tls || endpoint.Host.Scheme != "tcp")
        {
            return WithDefaultPort(endpoint);
        }

        // The docker CLI's default certificate folder is its configuration folder.
        var certs = NonEmpty(environment("DOCKER_CERT_PATH")) ?? configDirectory;
        return WithDefaultPort(endpoint with { Tls = new EngineTls(certs, verify) });
    }

    /// <summary>tcp:// without a port means 2376 with TLS and 2375 without, as in the docker CLI.</summary>
    private static EngineEndpoint WithDefaultPort(EngineEndpoint endpoint)
        => endpoint.Host.Scheme == "tcp" && endpoint.Host.Port <= 0
            ? endpoint with { Host = new Uri($"tcp://{endpoint.Host.Host}:{(endpoint.Tls is null ? 2375 : 2376)}") }
            : endpoint;

    private static string Home(Func<string, string?> environment)
        => NonEmpty(environment("HOME")) ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
