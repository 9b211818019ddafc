using Berth.Swarm.Apply;

namespace Berth.Swarm.Tests.Apply;

/// <summary>ssh:// engines are refused with a hint that says how to reach the same engine through a forwarded socket.</summary>
public sealed class SshHostTests : IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("berth-dockercfg-").FullName;

    public void Dispose() => Directory.Delete(_config, recursive: true);

    private SwarmEngineException Refusal(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        map.TryAdd("DOCKER_CONFIG", _config);
        return Assert.Throws<SwarmEngineException>(() => EngineEndpointResolver.Resolve(name => map.GetValueOrDefault(name)));
    }

    [Fact]
    public void DockerHost_Ssh_IsOneLineWithAForwardingHint()
    {
        var error = Refusal(("DOCKER_HOST", "ssh://deploy@swarm.example"));

        Assert.Equal("DOCKER_HOST: ssh:// docker hosts are not supported by berth yet; only unix:// and tcp:// (with TLS) are", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(
            "forward the engine's socket, then point DOCKER_HOST at it: ssh -nNT -L /tmp/docker.sock:/var/run/docker.sock deploy@swarm.example & export DOCKER_HOST=unix:///tmp/docker.sock",
            error.Hint);
    }

    [Fact]
    public void DockerHost_SshWithPort_KeepsThePortInTheHint()
    {
        var error = Refusal(("DOCKER_HOST", "ssh://swarm.example:2222"));

        Assert.Contains("ssh -nNT -p 2222 -L /tmp/docker.sock:/var/run/docker.sock swarm.example &", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerHost_SshWithPassword_NeverPrintsThePassword()
    {
        var error = Refusal(("DOCKER_HOST", "ssh://deploy:s3cr3t-pw@swarm.example"));

        Assert.DoesNotContain("s3cr3t-pw", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-pw", error.Hint, StringComparison.Ordinal);
        Assert.Contains("deploy@swarm.example", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Context_Ssh_IsRefusedWithTheSameHint()
    {
        var id = DockerContextStore.ContextId("remote");
        var meta = Path.Combine(_config, "contexts", "meta", id);
        Directory.CreateDirectory(meta);
        File.WriteAllText(Path.Combine(meta, "meta.json"), """{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"ssh://ops@node1","SkipTLSVerify":false}}}""");

        var error = Refusal(("DOCKER_CONTEXT", "remote"));

        Assert.StartsWith("docker context \"remote\": ssh:// docker hosts are not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("ops@node1", error.Hint, StringComparison.Ordinal);
    }
}
