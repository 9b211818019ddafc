using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Stacks.Events;

namespace Berth.StackService.Tests;

/// <summary>Keeps every event in the order it was published.</summary>
internal sealed class RecordingSink : IStackEventSink
{
    private readonly ConcurrentQueue<StackEvent> _events = new();

    public IReadOnlyList<StackEvent> Events => [.. _events];

    public void Publish(StackEvent stackEvent) => _events.Enqueue(stackEvent);
}

/// <summary>A Compose file in a fresh folder, loaded as the stack's project.</summary>
internal static class Projects
{
    /// <summary>The project of a compose.yaml written into <paramref name="dir"/>, beside the files it names.</summary>
    public static ComposeProject LoadIn(string dir, string stack, string yaml)
    {
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), yaml);
        var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], ProjectName = stack, Environment = ImmutableDictionary<string, string>.Empty }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        return load.Project!;
    }

    public static ComposeProject Load(string stack, string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("berth-layer-").FullName;
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), yaml);
        var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], ProjectName = stack, Environment = ImmutableDictionary<string, string>.Empty }, TestContext.Current.CancellationToken);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        return load.Project!;
    }
}

/// <summary>The docker CLI, for setup checks and cleanup that do not depend on the code under test.</summary>
internal static class Docker
{
    public static (int ExitCode, string Stdout) Run(params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "docker " + string.Join(' ', args) + " did not finish");
        return (process.ExitCode, stdout.Result);
    }

    /// <summary>Fails the test at once, with the setup hint, unless the local engine is a Swarm manager.</summary>
    public static void RequireSwarmManager()
    {
        var info = Run("info", "--format", "{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}");
        Assert.True(info.ExitCode == 0 && info.Stdout.Trim() == "active/true", "a Docker Engine in Swarm mode is required (scripts/setup-swarm.sh)");
    }

    /// <summary>Removes a stack by its label and waits (bounded) until its networks are gone.</summary>
    public static void RemoveStack(string stack)
    {
        Run("stack", "rm", stack);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && Run("network", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}").Stdout.Trim().Length > 0)
        {
            Thread.Sleep(500);
            Run("stack", "rm", stack);
        }
    }

    public static string NewStackName(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..6]}";
}
