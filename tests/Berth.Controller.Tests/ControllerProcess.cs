using System.Diagnostics;
using System.Text;

namespace Berth.Controller.Tests;

/// <summary>
/// The berth-controller executable as a child process (<c>dotnet berth-controller.dll</c> from the test's output
/// folder; or berth-apiserver, <see cref="StartApiServer"/>), its output collected, stopped by SIGTERM or SIGKILL.
/// </summary>
internal sealed class ControllerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ControllerProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string assembly = "berth-controller.dll")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The developer's cluster must never be used: the tests pass --kubeconfig when they mean one.
        start.Environment.Remove("KUBECONFIG");
        start.Environment["HOME"] = Path.GetTempPath();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("cannot start berth-controller");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything written to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ControllerProcess Start(params string[] args) => new(args);

    /// <summary>Starts it with these environment variables set (e.g. KUBECONFIG, when the arguments must not name one).</summary>
    public static ControllerProcess Start(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args) => new(args, environment);

    /// <summary>berth-apiserver (also in the test's output, by the project reference) the same way.</summary>
    public static ControllerProcess StartApiServer(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args) => new(args, environment, "berth-apiserver.dll");

    /// <summary>Runs to the end (bounded) and returns the exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        using var process = Start(args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return (code, process.Output);
    }

    /// <summary>SIGTERM, as the kubelet stops a container.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit(10_000);
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"berth-controller did not exit within {timeout.TotalSeconds:0} s; output:\n{Output}");
        }

        // The asynchronous readers finish after the exit; WaitForExit() without a timeout waits for them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
