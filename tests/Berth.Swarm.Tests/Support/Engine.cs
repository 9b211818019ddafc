using Berth.Testing;

namespace Berth.Swarm.Tests.Support;

/// <summary>Runs the docker CLI and the berth command against the real engine that scripts/setup-swarm.sh started.</summary>
internal static class Engine
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Fails (never skips) when the engine is missing: these tests exist to run against it.</summary>
    public static void RequireSwarmManager()
    {
        var info = Docker("info", "--format", "{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}");
        Assert.True(info.ExitCode == 0 && info.Stdout.Trim() == "active/true",
            "a Docker Engine in Swarm mode is required; run 'bash scripts/setup-swarm.sh' as root first.\n" + info);
    }

    public static Result Docker(params string[] args) => Run("docker", args, null, null);

    public static Result DockerWith(IReadOnlyDictionary<string, string> environment, params string[] args) => Run("docker", args, null, environment);

    public static Result DockerIn(string workingDirectory, params string[] args) => Run("docker", args, workingDirectory, null);

    public static Result Berth(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
        => Run("dotnet", [TestPaths.BerthDll, .. args], workingDirectory, environment);

    /// <summary>A stack name no other test (or earlier run) uses.</summary>
    public static string NewStackName(string prefix) => $"{prefix}{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Removes a stack by its label with the docker CLI, so cleanup does not depend on the code under test.</summary>
    public static void RemoveStack(string stack)
    {
        Docker("stack", "rm", stack);
        for (var i = 0; i < 60; i++)
        {
            var left = Docker("network", "ls", "-q", "--filter", $"label=com.docker.stack.namespace={stack}");
            if (left.Stdout.Trim().Length == 0)
            {
                return;
            }

            Thread.Sleep(500);
            Docker("stack", "rm", stack);
        }
    }

    /// <summary>
    /// A port to publish on the Swarm: free on loopback (the kernel's pick) and published by no service of the engine,
    /// whose ingress ports are not listening sockets a probe would see.
    /// </summary>
    public static int FreePublishedPort()
    {
        var published = Docker("service", "ls", "--format", "{{.Ports}}").Stdout;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var port = FreePort.Loopback();
            if (!published.Contains($":{port}->", StringComparison.Ordinal))
            {
                return port;
            }
        }

        throw new InvalidOperationException("no free port to publish after 20 tries; published now:\n" + published);
    }

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Result Run(string file, string[] args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        // berth does not see the developer's COMPOSE_*/DOCKER_*/BERTH_*/KUBECONFIG; a test that means one passes it.
        var result = ToolProcess.Run(file, args, workingDirectory, environment, TimeSpan.FromMinutes(3), withoutAmbient: file == "dotnet");
        return new Result(result.ExitCode, result.Stdout, result.Stderr);
    }
}
