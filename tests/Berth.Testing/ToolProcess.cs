using System.Diagnostics;
using System.Text;

namespace Berth.Testing;

/// <summary>What a finished process printed and how it exited.</summary>
public sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>
/// Runs a tool (berth, docker, kubectl, go, git, ...) to completion with a deadline: a hung tool is killed and fails
/// the test instead of stalling the run.
/// </summary>
public static class ToolProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The developer's settings that would change what berth (or docker, kubectl) does: COMPOSE_*, DOCKER_*, BERTH_*
    /// and KUBECONFIG. Tests do not inherit them; a test that means one sets it.
    /// </summary>
    public static bool IsAmbient(string name)
        => name == "KUBECONFIG"
            || name.StartsWith("COMPOSE_", StringComparison.Ordinal)
            || name.StartsWith("DOCKER_", StringComparison.Ordinal)
            || name.StartsWith("BERTH_", StringComparison.Ordinal);

    /// <param name="file">The program.</param>
    /// <param name="args">Its arguments, passed as they are (no shell).</param>
    /// <param name="workingDirectory">Null: the test process's.</param>
    /// <param name="environment">Set on top of the inherited environment.</param>
    /// <param name="timeout">Null: <see cref="DefaultTimeout"/>.</param>
    /// <param name="withoutAmbient">Drop the inherited variables <see cref="IsAmbient"/> names (those in <paramref name="environment"/> stay).</param>
    /// <param name="clearEnvironment">Start from an empty environment: only <paramref name="environment"/> is set.</param>
    /// <param name="input">Written to standard input, which is then closed; null leaves it unredirected.</param>
    public static ToolResult Run(
        string file,
        IEnumerable<string> args,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null,
        bool withoutAmbient = false,
        bool clearEnvironment = false,
        string? input = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (clearEnvironment)
        {
            start.Environment.Clear();
        }
        else if (withoutAmbient)
        {
            foreach (var name in start.Environment.Keys.Where(IsAmbient).ToList())
            {
                start.Environment.Remove(name);
            }
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        var limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {limit.TotalSeconds:0} s");
        }

        // The parameterless wait also waits for the output readers to reach the end of both streams.
        process.WaitForExit();
        return new ToolResult(process.ExitCode, Text(stdout), Text(stderr));
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.Append(line).Append('\n');
            }
        }
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
