using System.Diagnostics;
using System.Text;

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

    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Result Run(string file, string[] args, string? workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.Append(e.Data).Append('\n'); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.Append(e.Data).Append('\n'); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 3 minutes");
        }

        process.WaitForExit();
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
