using System.Diagnostics;

namespace Berth.Testing;

/// <summary>
/// A server the tests run as a process of their own (etcd, PostgreSQL, a registry): started with both output streams
/// captured in <see cref="Log"/>, then probed until it answers. It fails with what it printed when it exits while
/// starting (<see cref="ServerExitedException"/>) or does not answer in time (<see cref="TimeoutException"/>).
/// Stopping or disposing kills its process tree and waits for it to exit.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>How long a server may take to answer unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private readonly ProcessStartInfo _start;
    private Process? _process;

    /// <param name="name">What the server is called in failure messages.</param>
    /// <param name="start">The program and its arguments; output is redirected here.</param>
    /// <param name="log">Where output goes; pass one to keep it across restarts. Null: a new one.</param>
    public ServerProcess(string name, ProcessStartInfo start, ProcessLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        Name = name;
        _start = start;
        _start.RedirectStandardOutput = true;
        _start.RedirectStandardError = true;
        _start.UseShellExecute = false;
        Log = log ?? new ProcessLog();
    }

    public string Name { get; }

    /// <summary>What the server printed on both streams (the tail).</summary>
    public ProcessLog Log { get; }

    /// <summary>The process id while it runs.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>
    /// Starts a server built by <paramref name="create"/> (with new free ports each time) until one keeps its port:
    /// a free port is only free until someone binds it, so a server that exits printing
    /// <paramref name="portTaken"/> lost its port to another test and is disposed and built again (five tries).
    /// Any other failure disposes the server and is thrown.
    /// </summary>
    public static async Task<T> StartOnFreePortAsync<T>(Func<T> create, Func<T, CancellationToken, Task> start, string portTaken, CancellationToken cancellationToken)
        where T : IAsyncDisposable
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(start);
        for (var attempt = 1; ; attempt++)
        {
            var server = create();
            try
            {
                await start(server, cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (ServerExitedException e) when (attempt < 5 && e.Log.Contains(portTaken, StringComparison.Ordinal))
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Starts the process (unless it runs) and calls <paramref name="ready"/> every <paramref name="interval"/> until
    /// it returns true. A probe that throws counts as not ready yet (the server is not listening); the last such
    /// error is named if the deadline passes.
    /// </summary>
    /// <exception cref="ServerExitedException">The process exited before it was ready.</exception>
    /// <exception cref="TimeoutException">It was not ready after <paramref name="timeout"/> (null: <see cref="DefaultStartTimeout"/>).</exception>
    public async Task StartAsync(Func<CancellationToken, Task<bool>> ready, CancellationToken cancellationToken, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(ready);
        if (ProcessId is not null)
        {
            return;
        }

        _process?.Dispose();
        var process = new Process { StartInfo = _start };
        Log.Capture(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var limit = timeout ?? DefaultStartTimeout;
        var clock = Stopwatch.StartNew();
        Exception? lastProbeError = null;
        while (true)
        {
            if (process.HasExited)
            {
                throw new ServerExitedException($"{Name} exited with {process.ExitCode} while starting:\n{Log}", Log.ToString());
            }

            try
            {
                if (await ready(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                lastProbeError = e;
            }

            if (clock.Elapsed > limit)
            {
                var probe = lastProbeError is null ? "" : $" (last probe: {lastProbeError.GetType().Name}: {lastProbeError.Message})";
                throw new TimeoutException($"{Name} was not ready after {limit.TotalSeconds:0} s{probe}:\n{Log}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit by itself (after a polite stop request); false if it still runs.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is not { } process)
        {
            return true;
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills the process and its children (as a crash would) and waits for it to exit; it may be started again.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ExitTimeout);
        await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        process.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}

/// <summary>A test server's process exited while starting; <see cref="Log"/> is what it printed.</summary>
public sealed class ServerExitedException(string message, string log) : InvalidOperationException(message)
{
    public string Log { get; } = log;
}
