using Berth.Swarm.Apply;

namespace Berth.Swarm.Tests.Apply;

/// <summary>Endpoint precedence and context parsing against a temporary DOCKER_CONFIG; the process environment is never read.</summary>
public sealed class EngineEndpointResolverTests : IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("berth-dockercfg-").FullName;

    public void Dispose() => Directory.Delete(_config, recursive: true);

    private EngineEndpoint Resolve(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        map.TryAdd("DOCKER_CONFIG", _config);
        return EngineEndpointResolver.Resolve(name => map.GetValueOrDefault(name));
    }

    private void WriteContext(string name, string host, bool skipTlsVerify = false, bool withTls = false)
    {
        var id = DockerContextStore.ContextId(name);
        var meta = Path.Combine(_config, "contexts", "meta", id);
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "meta.json"),
            $$"""{"Name":"{{name}}","Metadata":{"Description":"x"},"Endpoints":{"docker":{"Host":"{{host}}","SkipTLSVerify":{{(skipTlsVerify ? "true" : "false")}}""" + "}}}");
        if (withTls)
        {
            Directory.CreateDirectory(Path.Combine(_config, "contexts", "tls", id, "docker"));
        }
    }

    private void WriteCurrentContext(string name)
        => File.WriteAllText(Path.Combine(_config, "config.json"), $$"""{"auths":{},"currentContext":"{{name}}"}""");

    [Fact]
    public void Nothing_Set_IsTheLocalSocket()
    {
        var endpoint = Resolve();
        Assert.Equal("unix:///var/run/docker.sock", endpoint.Display);
        Assert.Equal("default", endpoint.Source);
        Assert.Null(endpoint.Tls);
    }

    [Fact]
    public void DockerHost_WinsOverDockerContextAndCurrentContext()
    {
        WriteContext("ctx-a", "unix:///run/a.sock");
        WriteCurrentContext("ctx-a");
        var endpoint = Resolve(("DOCKER_HOST", "unix:///run/host.sock"), ("DOCKER_CONTEXT", "ctx-a"));
        Assert.Equal("unix:///run/host.sock", endpoint.Display);
        Assert.Equal("DOCKER_HOST", endpoint.Source);
    }

    [Fact]
    public void DockerContext_WinsOverCurrentContext()
    {
        WriteContext("ctx-a", "unix:///run/a.sock");
        WriteContext("ctx-b", "tcp://10.0.0.2:2375");
        WriteCurrentContext("ctx-a");
        var endpoint = Resolve(("DOCKER_CONTEXT", "ctx-b"));
        Assert.Equal("tcp://10.0.0.2:2375", endpoint.Display);
        Assert.Equal("docker context \"ctx-b\"", endpoint.Source);
        Assert.Null(endpoint.Tls);
    }

    [Fact]
    public void CurrentContext_FromConfigJson_IsUsed()
    {
        WriteContext("ctx-a", "unix:///run/a.sock");
        WriteCurrentContext("ctx-a");
        Assert.Equal("unix:///run/a.sock", Resolve().Display);
    }

    [Fact]
    public void DefaultContext_ByName_IsTheLocalSocket()
    {
        WriteCurrentContext("ctx-a");
        Assert.Equal("unix:///var/run/docker.sock", Resolve(("DOCKER_CONTEXT", "default")).Display);
    }

    [Fact]
    public void ContextFolder_IsSha256OfTheName_AsTheDockerCli()
        => Assert.Equal("1bf980e5659ddfe464455419dad9322ff4cdd9718abad1c0927153d479ec6e32", DockerContextStore.ContextId("berth-test-ctx"));

    [Fact]
    public void UnknownContext_ClearError()
    {
        var error = Assert.Throws<SwarmEngineException>(() => Resolve(("DOCKER_CONTEXT", "nope")));
        Assert.Contains("docker context \"nope\" not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContextWithoutDockerEndpoint_ClearError()
    {
        var meta = Path.Combine(_config, "contexts", "meta", DockerContextStore.ContextId("bare"));
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "meta.json"), """{"Name":"bare","Endpoints":{}}""");
        var error = Assert.Throws<SwarmEngineException>(() => Resolve(("DOCKER_CONTEXT", "bare")));
        Assert.Contains("has no docker endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenConfigJson_ClearError()
    {
        File.WriteAllText(Path.Combine(_config, "config.json"), "{not json");
        var error = Assert.Throws<SwarmEngineException>(() => Resolve());
        Assert.Contains("cannot read the docker CLI configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContextTls_FromItsTlsFolder_AndSkipTlsVerify()
    {
        WriteContext("secure", "tcp://engine.example:2376", withTls: true);
        WriteContext("insecure", "tcp://engine.example:2376", skipTlsVerify: true);
        var secure = Resolve(("DOCKER_CONTEXT", "secure"));
        Assert.Equal(Path.Combine(_config, "contexts", "tls", DockerContextStore.ContextId("secure"), "docker"), secure.Tls!.CertDirectory);
        Assert.True(secure.Tls.Verify);
        Assert.False(Resolve(("DOCKER_CONTEXT", "insecure")).Tls!.Verify);
    }

    [Fact]
    public void TlsVerify_UsesCertPath_OrTheConfigFolder()
    {
        var endpoint = Resolve(("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/certs"));
        Assert.Equal(new EngineTls("/certs", Verify: true), endpoint.Tls);
        Assert.Equal(_config, Resolve(("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1")).Tls!.CertDirectory);
        Assert.False(Resolve(("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS", "1")).Tls!.Verify);
    }

    [Fact]
    public void TlsVariables_DoNotApplyToANamedContext_OrAUnixSocket()
    {
        WriteContext("plain", "tcp://10.0.0.2:2375");
        Assert.Null(Resolve(("DOCKER_CONTEXT", "plain"), ("DOCKER_TLS_VERIFY", "1")).Tls);
        Assert.Null(Resolve(("DOCKER_HOST", "unix:///run/x.sock"), ("DOCKER_TLS_VERIFY", "1")).Tls);
    }

    [Theory]
    [InlineData("tcp://127.0.0.1", null, "tcp://127.0.0.1:2375")]
    [InlineData("tcp://127.0.0.1", "1", "tcp://127.0.0.1:2376")]
    [InlineData("127.0.0.1:4243", null, "tcp://127.0.0.1:4243")]
    [InlineData("unix:///tmp/d.sock", null, "unix:///tmp/d.sock")]
    public void Hosts_ParseAsTheDockerCli(string host, string? tlsVerify, string expected)
    {
        var endpoint = tlsVerify is null ? Resolve(("DOCKER_HOST", host)) : Resolve(("DOCKER_HOST", host), ("DOCKER_TLS_VERIFY", tlsVerify));
        Assert.Equal(expected, endpoint.Display);
    }

    [Theory]
    [InlineData("ssh://me@host", "ssh:// docker hosts are not supported")]
    [InlineData("npipe:////./pipe/docker_engine", "unsupported docker host")]
    [InlineData("unix://", "unsupported docker host")]
    public void UnsupportedHosts_ClearError(string host, string message)
    {
        var error = Assert.Throws<SwarmEngineException>(() => Resolve(("DOCKER_HOST", host)));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("DOCKER_HOST: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsVerify_MissingCertificates_ClearError()
    {
        var endpoint = Resolve(("DOCKER_HOST", "tcp://127.0.0.1:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", _config));
        var error = Assert.Throws<SwarmEngineException>(() => EngineTlsCredentials.Load(endpoint.Tls!));
        Assert.Contains(Path.Combine(_config, "cert.pem") + " is missing", error.Message, StringComparison.Ordinal);
    }
}
