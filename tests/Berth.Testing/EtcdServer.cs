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
    private readonly ServerProcess _server;
    private readonly int _clientPort;
    private readonly int _metricsPort;

    private EtcdServer(string dataDirectory, int clientPort, int peerPort, int metricsPort, TestCertificates? tls)
    {
        DataDirectory = dataDirectory;
        _clientPort = clientPort;
        _metricsPort = metricsPort;
        Tls = tls;
        _server = new ServerProcess("etcd", StartInfo(peerPort));
    }

    /// <summary>With TLS: etcd serves its clients over HTTPS with these files and requires a client certificate from their CA.</summary>
    public TestCertificates? Tls { get; }

    public static string Executable { get; } = Environment.GetEnvironmentVariable("BERTH_TEST_ETCD") ?? "/usr/bin/etcd";

    /// <summary>The client URL, http://127.0.0.1:port (https:// with TLS).</summary>
    public string Endpoint => $"{(Tls is null ? "http" : "https")}://127.0.0.1:{_clientPort.ToString(CultureInfo.InvariantCulture)}";

    public string DataDirectory { get; }

    /// <summary>The process id while it runs.</summary>
    public int? ProcessId => _server.ProcessId;

    /// <summary>What etcd printed (for failure messages).</summary>
    public string Log
        => _server.Log.ToString();

    // /health on plain HTTP even when clients need TLS and a certificate.
    private string MetricsUrl => $"http://127.0.0.1:{_metricsPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A new etcd serving plain HTTP on loopback.</summary>
    public static Task<EtcdServer> StartNewAsync(CancellationToken cancellationToken = default)
        => StartNewAsync(tls: false, cancellationToken);

    /// <param name="tls">Serve clients over TLS with generated certificates (in the data folder) and require client certificates.</param>
    /// <param name="cancellationToken">Stops waiting for etcd.</param>
    public static Task<EtcdServer> StartNewAsync(bool tls, CancellationToken cancellationToken = default)
        => ServerProcess.StartOnFreePortAsync(
            () =>
            {
                var directory = Path.Combine(Path.GetTempPath(), "berth-etcd-" + Guid.NewGuid().ToString("N")[..12]);
                Directory.CreateDirectory(directory);
                var certificates = tls ? TestCertificates.Create(Path.Combine(directory, "pki")) : null;
                return new EtcdServer(directory, FreePort.Loopback(), FreePort.Loopback(), FreePort.Loopback(), certificates);
            },
            (server, ct) => server.StartAsync(ct),
            "address already in use",
            cancellationToken);

    /// <summary>Starts etcd (again) on the same data and ports and waits, with a deadline, until it reports healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri(MetricsUrl + "/health");
        await _server.StartAsync(
            async ct => (await http.GetStringAsync(health, ct).ConfigureAwait(false)).Contains("\"true\"", StringComparison.Ordinal),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills etcd by its process id (as a crash would: what it acknowledged is on disk) and waits for it to exit.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
        => _server.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        TempFolders.DeleteQuietly(DataDirectory);
    }

    private ProcessStartInfo StartInfo(int peerPort)
    {
        var client = Endpoint;
        var peer = $"http://127.0.0.1:{peerPort.ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo(Executable);
        foreach (var arg in new[]
        {
            "--name", "berth-test",
            "--data-dir", Path.Combine(DataDirectory, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "berth-test=" + peer,
            "--listen-metrics-urls", MetricsUrl,
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

        return start;
    }
}
