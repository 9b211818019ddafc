using System.Diagnostics;

namespace Berth.Compose.Tests.Parity;

/// <summary>Runs the reference implementation, `docker stack config` (docker CLI 28; no engine needed).</summary>
internal static class DockerStackConfig
{
    public static string Executable => File.Exists("/usr/local/bin/docker") ? "/usr/local/bin/docker" : "docker";

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = Path.GetDirectoryName(file)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("stack");
        start.ArgumentList.Add("config");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(file);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start docker");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"docker stack config timed out on {file}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
