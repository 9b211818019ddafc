using System.Collections.Concurrent;
using System.Collections.Immutable;
using Berth.Compose.Loading;
using Berth.Swarm.Apply;
using Berth.Swarm.Convert;
using Berth.Swarm.Tests.Support;

namespace Berth.Swarm.Tests.Integration;

/// <summary>
/// Against the REAL engine: a name taken between a deploy's read and its create (by a concurrent deploy of the same
/// stack, or by hand). The deployer's test seam runs just before each create, so the race is won deterministically.
/// </summary>
[Collection(nameof(SwarmEngineCollection))]
public sealed class ConcurrentDeployTests
{
    private const string Image = "berth-test/busybox:1";

    public ConcurrentDeployTests() => Engine.RequireSwarmManager();

    private static string App(string mode) => $$"""
        services:
          web:
            image: {{Image}}
            command: ["sleep", "3600"]
            environment: {MODE: {{mode}}}
          worker:
            image: {{Image}}
            command: ["sleep", "3600"]
        """;

    [Fact]
    public async Task TwoConcurrentDeploys_OfOneStack_BothSucceed_WithOneNetworkAndOneServiceOfEachName()
    {
        var stack = Engine.NewStackName("bcc");
        try
        {
            // Both deployers have read the engine (everything missing) before either creates anything: each create
            // waits until the other deployer reaches the same create, so both send it.
            var arrivals = new ConcurrentDictionary<string, (int Count, TaskCompletionSource Both)>(StringComparer.Ordinal);
            async Task Rendezvous(string kind, string name, CancellationToken cancellationToken)
            {
                var entry = arrivals.AddOrUpdate($"{kind} {name}", _ => (1, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)), (_, e) => (e.Count + 1, e.Both));
                if (entry.Count == 2)
                {
                    entry.Both.SetResult();
                }

                await entry.Both.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }

            var plan = Plan(stack, App("one"));
            var lines = new ConcurrentQueue<string>();
            var results = await Task.WhenAll(
                DeployAsync(plan, Rendezvous, lines.Enqueue),
                DeployAsync(plan, Rendezvous, lines.Enqueue));

            Assert.Equal(3, arrivals.Count); // the network and both services were raced
            var networks = Engine.Docker("network", "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}");
            Assert.Equal(new[] { $"{stack}_default" }, Engine.Lines(networks.Stdout));
            var services = Engine.Docker("service", "ls", "--filter", $"label=com.docker.stack.namespace={stack}", "--format", "{{.Name}}");
            Assert.Equal(new[] { $"{stack}_web", $"{stack}_worker" }, Engine.Lines(services.Stdout).Order(StringComparer.Ordinal));

            // Each service was created by one deploy and found with the same spec by the other.
            foreach (var name in new[] { $"{stack}_web", $"{stack}_worker" })
            {
                Assert.Single(results, r => r.Created.Contains(name));
                Assert.Single(results, r => r.Unchanged.Contains(name));
            }

            Assert.Contains($"Network {stack}_default was created by a concurrent deploy of stack {stack}; using it", lines);
            Assert.Contains($"Service {stack}_web was created by a concurrent deploy with this spec; leaving it", lines);
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task ServiceCreatedBeforeTheCreate_WithAnotherSpec_TakesTheUpdatePath()
    {
        var stack = Engine.NewStackName("bcu");
        try
        {
            Task CreateByHand(string kind, string name, CancellationToken cancellationToken)
            {
                if (kind == "service" && name == $"{stack}_web")
                {
                    var made = Engine.Docker("service", "create", "--detach", "--name", name, "--label", $"com.docker.stack.namespace={stack}", "--env", "MODE=by-hand", Image, "sleep", "3600");
                    Assert.True(made.ExitCode == 0, made.ToString());
                }

                return Task.CompletedTask;
            }

            var plan = Plan(stack, App("file"));
            var result = await DeployAsync(plan, CreateByHand, _ => { });

            Assert.Contains($"{stack}_web", result.Updated);
            Assert.Equal(new[] { $"{stack}_worker" }, result.Created);
            var env = Engine.Docker("service", "inspect", $"{stack}_web", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}} {{index .Spec.Labels \"io.berth.spec-hash\"}}");
            Assert.Equal($"[\"MODE=file\"] {plan.Services.Single(s => s.Name == $"{stack}_web").SpecHash}", env.Stdout.Trim());
        }
        finally
        {
            Engine.RemoveStack(stack);
        }
    }

    [Fact]
    public async Task NameTakenBeforeTheCreate_WithoutTheStackLabel_IsAClearError()
    {
        var stack = Engine.NewStackName("bcf");
        try
        {
            Task CreateForeign(string kind, string name, CancellationToken cancellationToken)
            {
                var made = kind == "network"
                    ? Engine.Docker("network", "create", "--driver", "overlay", name)
                    : Engine.Docker("service", "create", "--detach", "--name", name, Image, "sleep", "3600");
                Assert.True(made.ExitCode == 0, made.ToString());
                return Task.CompletedTask;
            }

            var network = await Assert.ThrowsAsync<SwarmEngineException>(() => DeployAsync(Plan(stack, App("x")), CreateForeign, _ => { }));
            Assert.Equal($"network {stack}_default was created by someone else during this deploy and does not belong to stack {stack}; nothing after it was changed", network.Message);
            Engine.Docker("network", "rm", $"{stack}_default");

            // The stack's network exists (so only the service is created), then the service's name is taken by hand.
            var owned = Engine.Docker("network", "create", "--driver", "overlay", "--label", $"com.docker.stack.namespace={stack}", $"{stack}_default");
            Assert.True(owned.ExitCode == 0, owned.ToString());
            var service = await Assert.ThrowsAsync<SwarmEngineException>(() => DeployAsync(Plan(stack, $"services:\n  web:\n    image: {Image}\n    command: [\"sleep\", \"3600\"]\n"), CreateForeign, _ => { }));
            Assert.Equal($"service {stack}_web was created by someone else during this deploy and does not belong to stack {stack}", service.Message);
        }
        finally
        {
            Engine.Docker("service", "rm", $"{stack}_web");
            Engine.Docker("network", "rm", $"{stack}_default");
            Engine.RemoveStack(stack);
        }
    }

    private static SwarmPlan Plan(string stack, string yaml)
    {
        var dir = SwarmEngineTests.WriteProject(yaml);
        var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], ProjectName = stack, Environment = ImmutableDictionary<string, string>.Empty }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        var plan = SwarmConverter.Convert(load.Project!, new SwarmConvertOptions { Stack = stack, Contents = ResourceContentReader.Read(load.Project!) });
        Assert.False(plan.HasErrors, string.Join('\n', plan.Diagnostics));
        return plan;
    }

    private static async Task<SwarmDeployResult> DeployAsync(SwarmPlan plan, Func<string, string, CancellationToken, Task> beforeCreate, Action<string> progress)
    {
        using var client = SwarmEngine.Connect();
        var deployer = new SwarmDeployer(client, progress) { BeforeCreate = beforeCreate };
        return await deployer.DeployAsync(plan, new SwarmDeployOptions { Detach = true, ResolveImage = ImageResolution.Never, Timeout = TimeSpan.FromSeconds(60) }, TestContext.Current.CancellationToken);
    }
}
