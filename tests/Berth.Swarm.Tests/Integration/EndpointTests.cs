using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// The real berth command finding the engine like the docker CLI: a docker context in a temporary DOCKER_CONFIG, and a
/// second dockerd (not in Swarm mode) behind TLS on 127.0.0.1 that each test starts and stops itself.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class EndpointTests
{
    private const string Image = "berth-test/busybox:1";

    public EndpointTests() => Engine.RequireSwarmManager();

    [Fact]
    public void StackLs_UsesTheDockerContext_FromDockerContextAndConfigJson()
    {
        var config = Directory.CreateTempSubdirectory("berth-dockercfg-").FullName;
        var stack = Engine.NewStackName("bx");
        try
        {
            var create = Engine.DockerWith(new Dictionary<string, string> { ["DOCKER_CONFIG"] = config }, "context", "create", "berth-test-ctx", "--docker", "host=unix:///var/run/docker.sock");
            Assert.True(create.ExitCode == 0, create.ToString());
            var broken = Engine.DockerWith(new Dictionary<string, string> { ["DOCKER_CONFIG"] = config }, "context", "create", "berth-broken-ctx", "--docker", "host=unix:///nonexistent/berth.sock");
            Assert.True(broken.ExitCode == 0, broken.ToString());
            Assert.Equal(0, Engine.Docker("service", "create", "-q", "--detach", "--name", $"{stack}_web", "--label", $"com.docker.stack.namespace={stack}", Image, "sleep", "3600").ExitCode);

            var viaEnvironment = Engine.Berth(config, new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_CONTEXT"] = "berth-test-ctx" }, "stack", "ls");
            Assert.True(viaEnvironment.ExitCode == 0, viaEnvironment.ToString());
            // The NAME column is as wide as the longest stack name on the (shared) engine.
            Assert.Matches($@"(?m)^{stack} +1 ", viaEnvironment.Stdout);

            // The broken context proves the context is what is read: its socket, named in the error, is the one dialled.
            var viaBroken = Engine.Berth(config, new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_CONTEXT"] = "berth-broken-ctx" }, "stack", "ls");
            Assert.Equal(3, viaBroken.ExitCode);
            Assert.Contains("cannot reach the Docker Engine at unix:///nonexistent/berth.sock (from docker context \"berth-broken-ctx\"): /nonexistent/berth.sock does not exist", viaBroken.Stderr, StringComparison.Ordinal);

            // `docker context use` writes currentContext into config.json; berth follows it.
            Assert.Equal(0, Engine.DockerWith(new Dictionary<string, string> { ["DOCKER_CONFIG"] = config }, "context", "use", "berth-test-ctx").ExitCode);
            var viaConfig = Engine.Berth(config, new Dictionary<string, string> { ["DOCKER_CONFIG"] = config }, "stack", "ls", "--format", "json");
            Assert.True(viaConfig.ExitCode == 0, viaConfig.ToString());
            Assert.Contains($"\"Name\":\"{stack}\",\"Namespace\":\"\",\"Orchestrator\":\"swarm\",\"Services\":\"1\"", viaConfig.Stdout, StringComparison.Ordinal);

            // DOCKER_HOST still wins over the current context, as with the docker CLI.
            var viaHost = Engine.Berth(config, new Dictionary<string, string> { ["DOCKER_CONFIG"] = config, ["DOCKER_CONTEXT"] = "berth-broken-ctx", ["DOCKER_HOST"] = "unix:///var/run/docker.sock" }, "stack", "ls");
            Assert.True(viaHost.ExitCode == 0, viaHost.ToString());
        }
        finally
        {
            Engine.Docker("service", "rm", $"{stack}_web");
            Directory.Delete(config, recursive: true);
        }
    }

    [Fact]
    public void StackLs_OverTls_ReachesASecondEngine_AndAWrongCaIsAClearError()
    {
        using var daemon = SecondDaemon.Start();
        var tls = new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = daemon.TcpHost,
            ["DOCKER_TLS_VERIFY"] = "1",
            ["DOCKER_CERT_PATH"] = daemon.Certificates.ClientDirectory,
        };

        // The second engine is not in Swarm mode, so its own answer to the service list (docker stack ls gets the
        // same) can only arrive over a working mutual-TLS connection.
        var ls = Engine.Berth(daemon.Directory, tls, "stack", "ls", "--format", "json");
        Assert.True(ls.ExitCode == 3, ls.ToString());
        Assert.Contains("berth stack ls: this node is not a swarm manager (swarm state: inactive)", ls.Stderr, StringComparison.Ordinal);
        var version = Engine.DockerWith(tls, "version", "--format", "{{.Server.Version}}");
        Assert.True(version.ExitCode == 0, "the docker CLI must reach the same engine with the same variables:\n" + version);

        var wrongCa = Engine.Berth(daemon.Directory, new Dictionary<string, string>(tls) { ["DOCKER_CERT_PATH"] = daemon.Certificates.WrongCaClientDirectory }, "stack", "ls");
        Assert.Equal(3, wrongCa.ExitCode);
        Assert.Contains($"berth stack ls: TLS handshake with the Docker Engine at {daemon.TcpHost} (from DOCKER_HOST) failed: the engine's certificate is not signed by the CA in {Path.Combine(daemon.Certificates.WrongCaClientDirectory, "ca.pem")}", wrongCa.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", wrongCa.Stderr, StringComparison.Ordinal);

        // Without TLS the engine refuses plain HTTP: a clear error, never a hang.
        var plain = Engine.Berth(daemon.Directory, new Dictionary<string, string> { ["DOCKER_HOST"] = daemon.TcpHost }, "stack", "ls");
        Assert.Equal(3, plain.ExitCode);
        Assert.StartsWith("berth stack ls: ", plain.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_ToAnEngineThatIsNotASwarmManager_FailsClearly_AndCreatesNothing()
    {
        using var daemon = SecondDaemon.Start();
        var dir = SwarmEngineTests.WriteProject($"services:\n  web:\n    image: {Image}\n    networks: [front]\n    secrets: [token]\nnetworks:\n  front: {{}}\nsecrets:\n  token: {{environment: TOKEN}}\n");
        try
        {
            var deploy = Engine.Berth(dir, new Dictionary<string, string>
            {
                ["DOCKER_HOST"] = daemon.TcpHost,
                ["DOCKER_TLS_VERIFY"] = "1",
                ["DOCKER_CERT_PATH"] = daemon.Certificates.ClientDirectory,
                ["TOKEN"] = "t",
            }, "stack", "deploy", "-c", "compose.yaml", "bn");
            Assert.Equal(3, deploy.ExitCode);
            Assert.Contains("berth stack deploy: this node is not a swarm manager (swarm state: inactive)", deploy.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", deploy.Stderr, StringComparison.Ordinal);

            // Nothing on the second engine: no network (the only object a non-Swarm engine could hold), no container.
            Assert.Equal(string.Empty, daemon.Docker("network", "ls", "-q", "--filter", "label=com.docker.stack.namespace=bn").Stdout.Trim());
            Assert.Equal(string.Empty, daemon.Docker("ps", "-aq").Stdout.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
