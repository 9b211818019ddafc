using Berth.Compose.Loading;
using Berth.StackService;
using Berth.Stacks.Events;
using Berth.Swarm.Apply;
using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>
/// A stack on the real Swarm engine for the stack page's tests, deployed through berth's own stack service (so it
/// has history), under a unique name, removed again at the end.
/// </summary>
internal sealed class SwarmTestStack : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("berth-console-stack-").FullName;

    private SwarmTestStack(string name) => Name = name;

    public string Name { get; }

    public IStackService Service { get; } = StackServices.Swarm(Environment.GetEnvironmentVariable);

    public string Path => $"/stacks/swarm/_/{Name}";

    public static async Task<SwarmTestStack> DeployAsync(string prefix, string compose, CancellationToken cancellationToken)
    {
        var stack = new SwarmTestStack($"{prefix}{Guid.NewGuid():N}"[..Math.Min(24, prefix.Length + 12)]);
        await stack.RedeployAsync(compose, cancellationToken);
        return stack;
    }

    /// <summary>
    /// Deploys <paramref name="compose"/> as the stack's next revision, with <paramref name="files"/> (e.g. the files
    /// configs name) written beside it. Detached (the engine converges on its own) unless <paramref name="converge"/>:
    /// then it returns once every service's update is done and its tasks of the new spec have run for a second.
    /// </summary>
    public async Task<StackDeployResult> RedeployAsync(string compose, CancellationToken cancellationToken, IReadOnlyList<(string Name, string Content)>? files = null, bool converge = false)
    {
        var file = System.IO.Path.Combine(_folder, "compose.yaml");
        await File.WriteAllTextAsync(file, compose, cancellationToken);
        foreach (var (name, content) in files ?? [])
        {
            await File.WriteAllTextAsync(System.IO.Path.Combine(_folder, name), content, cancellationToken);
        }

        var loaded = ProjectLoader.Load(new LoadOptions { Files = [file], ProjectName = Name, WorkingDirectory = _folder }, cancellationToken);
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        var deployed = await Service.DeployAsync(new StackDeployRequest(Name, loaded.Project!) { Detach = !converge, Stability = TimeSpan.FromSeconds(1), ResolveImage = ImageResolution.Never }, StackEventSink.None, cancellationToken);
        Assert.True(deployed.Converged && !deployed.Invalid, string.Join("\n", deployed.Failures));
        return deployed;
    }

    /// <summary>Waits (with a deadline) until the stack's tasks satisfy <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyList<StackTaskInfo>> TasksUntilAsync(Func<IReadOnlyList<StackTaskInfo>, bool> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var tasks = await Service.TasksAsync(Name, [], cancellationToken);
            if (condition(tasks))
            {
                return tasks;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out after 90 s waiting for {what}; tasks: {string.Join(", ", tasks.Select(t => $"{t.Name} {t.DesiredState}/{t.State} {t.Error}"))}");
            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until <paramref name="service"/> is settled: <paramref name="replicas"/> tasks desired running and running,
    /// and no task of a previous spec still running on its way to shut down (an update's old task keeps running for
    /// a while with desired state Shutdown).
    /// </summary>
    public Task<IReadOnlyList<StackTaskInfo>> SettledAsync(string service, int replicas, CancellationToken cancellationToken) =>
        TasksUntilAsync(
            tasks =>
            {
                var own = tasks.Where(t => t.Name.StartsWith($"{Name}_{service}.", StringComparison.Ordinal)).ToList();
                return own.Count(t => t is { DesiredState: "Running", State: "Running" }) == replicas
                    && !own.Any(t => t.DesiredState != "Running" && t.State == "Running");
            },
            $"{service} to settle at {replicas} running task(s)",
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        ToolProcess.Run("/usr/bin/docker", ["stack", "rm", Name], withoutAmbient: true);
        Service.Dispose();
        Directory.Delete(_folder, recursive: true);
        await Task.CompletedTask;
    }
}

/// <summary>A console with its accounts and a stack of its own on Swarm: what each stack page test class starts with.</summary>
internal sealed class StackConsole : IAsyncDisposable
{
    private StackConsole(ConsoleServer server, SwarmTestStack stack) => (Server, Stack) = (server, stack);

    public ConsoleServer Server { get; }

    public SwarmTestStack Stack { get; }

    public static async Task<StackConsole> StartAsync(string prefix, string compose, IReadOnlyList<(string Name, Accounts.ConsoleRole Role)> accounts, CancellationToken cancellationToken)
    {
        var server = await ConsoleServer.StartAsync(cancellationToken);
        foreach (var (name, role) in accounts)
        {
            await server.AddAccountAsync(name, role, name == "scoped" ? ["shop-"] : null, cancellationToken);
        }

        return new StackConsole(server, await SwarmTestStack.DeployAsync(prefix, compose, cancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        await Stack.DisposeAsync();
        await Server.DisposeAsync();
    }
}
