using System.Globalization;
using System.Net;
using Berth.Testing;

namespace Berth.Controller.Tests.EndToEnd;

/// <summary>
/// The berth-controller process (the test output's <c>berth-controller.dll</c>, built by the project reference)
/// started against a kubeconfig — for the end-to-end tests, <see cref="Berth.ApiServer.Tests.Aggregation.FrontFixture"/>'s,
/// i.e. the documented Kubernetes API test double with berth-apiserver on real etcd behind it, not a cluster —
/// with its health endpoints on a free loopback port. <see cref="StartAsync"/> returns once <c>/readyz</c> is 200:
/// with <c>--leader-elect=false</c>, the first list of stacks is queued; with leader election, leading and synced
/// or standing by (wait for the Lease's holder when leading matters). For the other parts' tests too.
/// </summary>
internal sealed class RunningControllerProcess : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private RunningControllerProcess(ControllerProcess process, int healthPort)
    {
        Process = process;
        HealthPort = healthPort;
    }

    public ControllerProcess Process { get; }

    public int HealthPort { get; }

    /// <summary>
    /// Starts <c>berth-controller --kubeconfig K --health-bind-address 127.0.0.1:P</c> plus <paramref name="flags"/>
    /// (no <c>--leader-elect=false</c> is added: pass it, or create the Lease namespace first). Fails, with the
    /// process's output, when it exits or is not ready within <paramref name="readyWithin"/> (default 60 s).
    /// </summary>
    public static Task<RunningControllerProcess> StartAsync(string kubeconfig, IEnumerable<string> flags, CancellationToken cancellationToken, TimeSpan? readyWithin = null)
    {
        var port = FreePort.Loopback();
        return StartExactlyAsync(["--kubeconfig", kubeconfig, "--health-bind-address", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), .. flags], port, cancellationToken, readyWithin);
    }

    /// <summary>
    /// Starts the process with exactly <paramref name="args"/> (the caller names the health address, and the
    /// kubeconfig by flag or by KUBECONFIG in <paramref name="environment"/>).
    /// </summary>
    public static async Task<RunningControllerProcess> StartExactlyAsync(IReadOnlyList<string> args, int healthPort, CancellationToken cancellationToken, TimeSpan? readyWithin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var running = new RunningControllerProcess(ControllerProcess.Start(environment ?? new Dictionary<string, string>(), args), healthPort);
        try
        {
            await running.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(60), cancellationToken);
            return running;
        }
        catch
        {
            running.Dispose();
            throw;
        }
    }

    /// <summary>GET of a health endpoint; (0, message) when nothing answers.</summary>
    public async Task<(HttpStatusCode Code, string Body)> GetAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{HealthPort.ToString(CultureInfo.InvariantCulture)}{path}"), cancellationToken);
            return (response.StatusCode, (await response.Content.ReadAsStringAsync(cancellationToken)).Trim());
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    /// <summary>Polls <c>/readyz</c> until 200, with a deadline; fails with the output when the process exits first.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            Assert.False(Process.HasExited, "berth-controller exited:\n" + Process.Output);
            var (code, body) = await GetAsync("/readyz", cancellationToken);
            if (code == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"berth-controller not ready within {within.TotalSeconds:0} s (last /readyz: {(int)code} {body}); output:\n{Process.Output}");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>SIGTERM, then the exit code (bounded).</summary>
    public Task<int> StopAsync(CancellationToken cancellationToken)
    {
        Process.Terminate();
        return Process.WaitForExitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public void Dispose()
    {
        Process.Dispose();
        _http.Dispose();
    }
}
