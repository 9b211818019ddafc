using System.Collections.Immutable;
using System.Globalization;
using Berth.Compose.Loading;
using Berth.Swarm.Apply;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Support;
using Docker.DotNet;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Against the REAL Docker Engine in Swarm mode (scripts/setup-swarm.sh). Only the local image
/// berth-test/busybox:1 is used; no traffic leaves the machine. Each test uses its own stack name and removes
/// its stack (with the docker CLI, independent of the code under test) at the end.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class SwarmEngineTests
{
    private const string Image = "berth-test/busybox:1";

    public SwarmEngineTests() => Engine.RequireSwarmManager();

    private static string App(string secret, bool withWorker = true) => $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            environment: {MODE: test}
            secrets: [token]
            configs: [settings]
            networks: [front]
            deploy: {replicas: 1}
        {{(withWorker ? $"  worker:\n    image: {Image}\n    command: [\"sleep\", \"3600\"]\n" : string.Empty)}}
        networks:
          front: {}
        secrets:
          token: {environment: TOKEN}
        configs:
          settings: {content: "{{secret.Length}}"}
        """;

    [Fact]
    public async Task Deploy_ThenRedeployUnchanged_MakesZeroMutatingEngineCalls()
    {
        var stack = Engine.NewStackName("bz");
        try
        {
            var first = await DeployAsync(stack, App("one"), ("TOKEN", "one"));
            Assert.True(first.Converged, string.Join('\n', first.Failures));
            Assert.Equal(2, first.Created.Length);

            // Independent count: the engine's own swarm-scoped event stream over the redeploy window. (Local-scope
            // "network create" events appear when this node instantiates an overlay for a starting task; they are
            // not API calls.) Event times have one-second resolution, hence the pause.
            await Task.Delay(1100, TestContext.Current.CancellationToken);
            var since = EngineNow();
            var second = await DeployAsync(stack, App("one"), ("TOKEN", "one"));
            var until = EngineNow() + 1;

            Assert.Equal(0, second.Writes);
            Assert.Equal(2, second.Unchanged.Length);
            Assert.Empty(second.Created);
            Assert.Empty(second.Updated);
            var events = Engine.Docker("events", "--since", since.ToString(CultureInfo.InvariantCulture), "--until", until.ToString(CultureInfo.InvariantCulture),
                "--filter", "type=service", "--filter", "type=secret", "--filter", "type=config", "--filter", "type=network", "--filter", "scope=swarm", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
            Assert.Equal(0, events.ExitCode);
            var mutations = Engine.Lines(events.Stdout).Where(l => l.Contains(stack, StringComparison.Ordinal) && !l.Contains(" connect ", StringComparison.Ordinal) && !l.Contains(" disconnect ", StringComparison.Ordinal)).ToList();
            Assert.True(mutations.Count == 0, "engine events during an unchanged redeploy:\n" + string.Join('\n', mutations));

            // The real CLI lists what Berth made, with docker's labels.
            var ls = Engine.Berth(Path.GetTempPath(), null, "stack", "ls", "--format", "json");
            Assert.Contains($"{{\"Name\":\"{stack}\",\"Namespace\":\"\",\"Orchestrator\":\"swarm\",\"Services\":\"2\"}}", ls.Stdout, StringComparison.Ordinal);
            var services = Engine.Berth(Path.GetTempPath(), null, "stack", "services", stack);
            Assert.Equal(0, services.ExitCode);
            Assert.Contains($"{stack}_web", services.Stdout, StringComparison.Ordinal);
            Assert.Contains("1/1", services.Stdout, StringComparison.Ordinal);
            var ps = Engine.Berth(Path.GetTempPath(), null, "stack", "ps", stack, "--format", "json");
            Assert.Equal(0, ps.ExitCode);
            Assert.Contains($"\"Name\":\"{stack}_web.1\"", ps.Stdout, StringComparison.Ordinal);
            Assert.Contains("\"DesiredState\":\"Running\"", ps.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task Redeploy_ChangedSecret_UpdatesOnlyItsServiceAndRemovesTheOldVersion()
    {
        var stack = Engine.NewStackName("bs");
        try
        {
            await DeployAsync(stack, App("one"), ("TOKEN", "one"));
            var before = Engine.Lines(Engine.Docker("secret", "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}").Stdout);
            var result = await DeployAsync(stack, App("one"), ("TOKEN", "two"));

            Assert.True(result.Converged, string.Join('\n', result.Failures));
            Assert.Equal([$"{stack}_web"], result.Updated);
            Assert.Equal([$"{stack}_worker"], result.Unchanged);
            var after = Engine.Lines(Engine.Docker("secret", "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}").Stdout);
            var single = Assert.Single(after);
            Assert.NotEqual(Assert.Single(before), single);
            Assert.StartsWith($"{stack}_token_", single, StringComparison.Ordinal);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task PruneAndRm_NeverTouchUnlabelledLookAlikes()
    {
        var stack = Engine.NewStackName("bp");
        var lookAlikes = new[] { $"{stack}_intruder", $"{stack}_worker2" };
        try
        {
            // Same prefix, no stack label: must survive prune and rm.
            Assert.Equal(0, Engine.Docker("service", "create", "-q", "--detach", "--name", lookAlikes[0], Image, "sleep", "3600").ExitCode);
            Assert.Equal(0, Engine.Docker("network", "create", "-d", "overlay", lookAlikes[1]).ExitCode);
            var secretFile = Path.GetTempFileName();
            File.WriteAllText(secretFile, "x");
            Assert.Equal(0, Engine.Docker("secret", "create", lookAlikes[1], secretFile).ExitCode);
            Assert.Equal(0, Engine.Docker("config", "create", lookAlikes[1], secretFile).ExitCode);
            File.Delete(secretFile);

            await DeployAsync(stack, App("one"), ("TOKEN", "one"));
            var pruned = await DeployAsync(stack, App("one", withWorker: false), prune: true, ("TOKEN", "one"));
            Assert.Contains($"{stack}_worker", pruned.Removed);
            Assert.Equal(1, CountLabelled("service", stack));

            using (var client = SwarmEngine.Connect())
            {
                await new SwarmDeployer(client, _ => { }).RemoveStackAsync(stack, wait: true, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            }

            Assert.Equal(0, CountLabelled("service", stack));
            Assert.Equal(0, CountLabelled("network", stack));
            Assert.Equal(0, CountLabelled("secret", stack));
            Assert.Equal(0, CountLabelled("config", stack));
            Assert.Equal(0, Engine.Docker("service", "inspect", lookAlikes[0]).ExitCode);
            Assert.Equal(0, Engine.Docker("network", "inspect", lookAlikes[1]).ExitCode);
            Assert.Equal(0, Engine.Docker("secret", "inspect", lookAlikes[1]).ExitCode);
            Assert.Equal(0, Engine.Docker("config", "inspect", lookAlikes[1]).ExitCode);
        }
        finally
        {
            Engine.Docker("service", "rm", lookAlikes[0]);
            Engine.Docker("secret", "rm", lookAlikes[1]);
            Engine.Docker("config", "rm", lookAlikes[1]);
            Engine.RemoveStack(stack);
            Engine.Docker("network", "rm", lookAlikes[1]);
        }
    }

    [Fact]
    public void Deploy_EngineUnreachable_ClearErrorAndNonZeroExit()
    {
        var dir = WriteProject(App("one"));
        var result = Engine.Berth(dir, new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent", ["TOKEN"] = "one" }, "stack", "deploy", "-c", "compose.yaml", "bu" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot reach the Docker Engine at unix:///nonexistent", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_InvalidFile_CreatesNothing()
    {
        var stack = Engine.NewStackName("bi");
        try
        {
            var dir = WriteProject($"services:\n  web:\n    image: {Image}\n    ports: ['not-a-port']\n  other:\n    build: .\n");
            var result = Engine.Berth(dir, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("nothing was changed", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("compose.yaml:", result.Stderr, StringComparison.Ordinal);

            var noImage = WriteProject("services:\n  other:\n    build: .\n");
            var result2 = Engine.Berth(noImage, null, "stack", "deploy", "-c", "compose.yaml", stack);
            Assert.Equal(1, result2.ExitCode);
            Assert.Contains("BS011", result2.Stderr, StringComparison.Ordinal);
            Assert.Equal(0, CountLabelled("service", stack));
            Assert.Equal(0, CountLabelled("network", stack));
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task Deploy_NameTakenByAnUnlabelledService_FailsBeforeAnyWrite()
    {
        var stack = Engine.NewStackName("bc");
        try
        {
            Assert.Equal(0, Engine.Docker("service", "create", "-q", "--detach", "--name", $"{stack}_web", Image, "sleep", "3600").ExitCode);
            var error = await Assert.ThrowsAsync<SwarmEngineException>(() => DeployAsync(stack, App("one"), ("TOKEN", "one")));
            Assert.Contains("does not belong to stack", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, CountLabelled("network", stack));
            Assert.Equal(0, CountLabelled("secret", stack));
        }
        finally
        {
            Engine.Docker("service", "rm", $"{stack}_web");
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task Deploy_PortAlreadyTaken_FailsBeforeAnyWrite()
    {
        var stack = Engine.NewStackName("bt");
        var holder = Engine.NewStackName("holder");
        var port = Engine.FreePublishedPort();
        try
        {
            Assert.Equal(0, Engine.Docker("service", "create", "-q", "--detach", "--name", holder, "--publish", $"{port}:80", Image, "sleep", "3600").ExitCode);
            var error = await Assert.ThrowsAsync<SwarmEngineException>(() => DeployAsync(stack, $"services:\n  web:\n    image: {Image}\n    ports: ['{port}:80']\n"));
            Assert.Contains($"port {port}/tcp of service {stack}_web is already published by service {holder}", error.Message, StringComparison.Ordinal);
            Assert.Equal(0, CountLabelled("network", stack));
        }
        finally
        {
            Engine.Docker("service", "rm", holder);
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task Connect_NonexistentSocket_ThrowsClearError()
    {
        using var client = SwarmEngine.Connect(name => name == "DOCKER_HOST" ? "unix:///nonexistent" : null);
        var error = await Assert.ThrowsAsync<SwarmEngineException>(() => SwarmEngine.RequireManagerAsync(client, TestContext.Current.CancellationToken));
        Assert.Contains("cannot reach the Docker Engine", error.Message, StringComparison.Ordinal);
    }

    internal static int CountLabelled(string kind, string stack)
        => Engine.Lines(Engine.Docker(kind, "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout).Length;

    private static long EngineNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    internal static string WriteProject(string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("berth-swarm-it-").FullName;
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), yaml);
        return dir;
    }

    private static Task<SwarmDeployResult> DeployAsync(string stack, string yaml, params (string Name, string Value)[] environment)
        => DeployAsync(stack, yaml, prune: false, environment);

    private static async Task<SwarmDeployResult> DeployAsync(string stack, string yaml, bool prune, params (string Name, string Value)[] environment)
    {
        var dir = WriteProject(yaml);
        var load = ProjectLoader.Load(new LoadOptions
        {
            Files = [Path.Combine(dir, "compose.yaml")],
            ProjectName = stack,
            Environment = environment.ToDictionary(e => e.Name, e => e.Value).ToImmutableDictionary(),
        }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        var plan = SwarmConverter.Convert(load.Project!, new SwarmConvertOptions { Stack = stack, Contents = ResourceContentReader.Read(load.Project!) });
        Assert.False(plan.HasErrors, string.Join('\n', plan.Diagnostics));
        using var client = SwarmEngine.Connect();
        return await new SwarmDeployer(client, _ => { }).DeployAsync(plan, new SwarmDeployOptions { Prune = prune, Timeout = TimeSpan.FromSeconds(90) }, TestContext.Current.CancellationToken);
    }
}

/// <summary>The engine tests share one engine and two cores: run them one after another.</summary>
[CollectionDefinition(nameof(SwarmEngineCollection), DisableParallelization = true)]
public sealed class SwarmEngineCollection;
