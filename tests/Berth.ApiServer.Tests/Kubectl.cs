using System.Diagnostics;
using System.Text;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>The real kubectl (/usr/bin/kubectl) against a running berth-apiserver, with its own kubeconfig and cache.</summary>
internal sealed class Kubectl
{
    public const string Executable = "/usr/bin/kubectl";

    private readonly string _kubeconfig;
    private readonly string _cacheDir;

    public Kubectl(RunningServer server, string? token, string name = "kubeconfig")
    {
        _kubeconfig = server.Folder.Write(name, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: berth
              cluster:
                server: {server.BaseUri.ToString().TrimEnd('/')}
                certificate-authority: {server.CaFile}
            users:
            - name: user
              user: {(token is null ? "{}" : "{token: " + token + "}")}
            contexts:
            - name: berth
              context: {"{cluster: berth, user: user, namespace: default}"}
            current-context: berth

            """);
        _cacheDir = server.Folder.PathOf("kube-cache-" + name);
    }

    public Task<ToolResult> RunWithInputAsync(string input, params string[] args) => Task.Run(() => ToolProcess.Run(Executable, [.. args, "--kubeconfig", _kubeconfig, "--cache-dir", _cacheDir], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: input));

    public Task<ToolResult> RunAsync(params string[] args) => Task.Run(() => ToolProcess.Run(Executable, [.. args, "--kubeconfig", _kubeconfig, "--cache-dir", _cacheDir], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60)));

    /// <summary>Starts kubectl without waiting for it (a watch): the test reads its output as it comes and stops it.</summary>
    public RunningKubectl Start(params string[] args) => new([.. args, "--kubeconfig", _kubeconfig, "--cache-dir", _cacheDir]);
}

/// <summary>A kubectl that runs until it exits or is stopped; both output streams captured as they are printed.</summary>
internal sealed class RunningKubectl : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public RunningKubectl(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Kubectl.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(ToolProcess.IsAmbient).ToList())
        {
            start.Environment.Remove(name);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout => Text(_stdout);

    public string Stderr => Text(_stderr);

    /// <summary>
    /// Checks <paramref name="condition"/> every 50 ms until it holds (true), kubectl exits without it holding, or
    /// <paramref name="timeout"/> passes (false).
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<RunningKubectl, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(this))
        {
            if (_process.HasExited || clock.Elapsed > timeout)
            {
                // The exit may have come with the last output: the readers may still be delivering it.
                await Task.Delay(200, cancellationToken);
                return condition(this);
            }

            await Task.Delay(50, cancellationToken);
        }

        return true;
    }

    /// <summary>Kills kubectl unless it has exited, waits (bounded) for it and the readers to finish: what it printed.</summary>
    public async Task<ToolResult> StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(deadline.Token);
        return new ToolResult(_process.ExitCode, Stdout, Stderr);
    }

    public override string ToString() => $"stdout:\n{Stdout}\nstderr:\n{Stderr}";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
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
