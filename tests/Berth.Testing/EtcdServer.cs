using System.Diagnostics;
using System.Globalization;

namespace Berth.Testing;

/// <summary>
/// A real etcd (/usr/bin/etcd) for one test class: its own free loopback client and peer ports and its own temp data
/// folder. <see cref="StopAsync"/> and <see cref="StartAsync"/> take it down and bring it back on the same data and
/// ports (fault tests); disposing kills it by its process id and deletes the folder.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(30);

    private readonly ProcessLog _log = new();
    private readonly int _clientPort;
    private readonly int _peerPort;
    private readonly int _metricsPort;
    private Process? _process;

    private EtcdServer(string dataDirectory, int clientPort, int peerPort, int metricsPort, TestCertificates? tls)
    {
        DataDirectory = dataDirectory;
        _clientPort = clientPort;
        _peerPort = peerPort;
        _metricsPort = metricsPort;
        Tls = tls;
    }

    /// <summary>With TLS: etcd serves its clients over HTTPS with these files and requires a client certificate from their CA.</summary>
    public TestCertificates? Tls { get; }

    public static string Executable { get; } = Environment.GetEnvironmentVariable("BERTH_TEST_ETCD") ?? "/usr/bin/etcd";

    /// <summary>The client URL, http://127.0.0.1:port (https:// with TLS).</summary>
    public string Endpoint => $"{(Tls is null ? "http" : "https")}://127.0.0.1:{_clientPort.ToString(CultureInfo.InvariantCulture)}";

    public string DataDirectory { get; }

    /// <summary>The process id while it runs.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>What etcd printed (for failure messages).</summary>
    public string Log
        => _log.ToString();

    /// <summary>A new etcd serving plain HTTP on loopback.</summary>
    public static Task<EtcdServer> StartNewAsync(CancellationToken cancellationToken = default)
        => StartNewAsync(tls: false, cancellationToken);

    /// <param name="tls">Serve clients over TLS with generated certificates (in the data folder) and require client certificates.</param>
    /// <param name="cancellationToken">Stops waiting for etcd.</param>
    public static async Task<EtcdServer> StartNewAsync(bool tls, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "berth-etcd-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(directory);
            var certificates = tls ? TestCertificates.Create(Path.Combine(directory, "pki")) : null;
            var server = new EtcdServer(directory, FreePort.Loopback(), FreePort.Loopback(), FreePort.Loopback(), certificates);
            try
            {
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5 && server.Log.Contains("address already in use", StringComparison.Ordinal))
            {
                // A free port is only free until someone binds it: another test's server took one first. New ports.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Starts etcd (again) on the same data and ports and waits, with a deadline, until it reports healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (ProcessId is not null)
        {
            return;
        }

        var client = Endpoint;
        var metrics = $"http://127.0.0.1:{_metricsPort.ToString(CultureInfo.InvariantCulture)}";
        var peer = $"http://127.0.0.1:{_peerPort.ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "berth-test",
            "--data-dir", Path.Combine(DataDirectory, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "berth-test=" + peer,

            // /health on plain HTTP even when clients need TLS and a certificate.
            "--listen-metrics-urls", metrics,
        })
        {
            start.ArgumentList.Add(arg);
        }

        if (Tls is not null)
        {
            foreach (var arg in new[] { "--cert-file", Tls.ServerCertFile, "--key-file", Tls.ServerKeyFile, "--trusted-ca-file", Tls.CaFile, "--client-cert-auth" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        var process = new Process { StartInfo = start };
        _log.Capture(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {process.ExitCode} while starting:\n{Log}");
            }

            try
            {
                var body = await http.GetStringAsync(new Uri(metrics + "/health"), cancellationToken).ConfigureAwait(false);
                if (body.Contains("\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > HealthTimeout)
            {
                throw new TimeoutException($"etcd was not healthy after {HealthTimeout.TotalSeconds:0} s:\n{Log}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills etcd by its process id (as a crash would: what it acknowledged is on disk) and waits for it to exit.</summary>
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
            process.Kill();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        TempFolders.DeleteQuietly(DataDirectory);
    }
}
