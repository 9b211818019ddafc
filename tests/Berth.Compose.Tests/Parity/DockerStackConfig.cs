using Berth.Testing;

namespace Berth.Compose.Tests.Parity;

/// <summary>Runs the reference implementation, `docker stack config` (docker CLI 28; no engine needed).</summary>
internal static class DockerStackConfig
{
    public static string Executable => File.Exists("/usr/local/bin/docker") ? "/usr/local/bin/docker" : "docker";

    public static (int ExitCode, string Stdout, string Stderr) Run(string file, IReadOnlyDictionary<string, string> environment)
    {
        // Only PATH and the given variables: the developer's environment must not change docker's answer.
        var clean = new Dictionary<string, string>(environment) { ["PATH"] = "/usr/local/bin:/usr/bin:/bin" };
        var result = ToolProcess.Run(Executable, ["stack", "config", "-c", file], Path.GetDirectoryName(file)!, clean, TimeSpan.FromSeconds(30), clearEnvironment: true);
        return (result.ExitCode, result.Stdout, result.Stderr);
    }
}
