using System.Diagnostics;
using System.Globalization;
namespace Berth.Testing;

/// <summary>
/// A real registry (Debian's docker-registry, the CNCF distribution registry; scripts/setup-registry.sh installs it)
/// for one test class (Berth.Registry.Tests, and the Kubernetes --resolve-image tests): <c>docker-registry serve CONFIG</c> on a free 127.0.0.1 port with its own temp storage folder,
/// never the package's system service. Disposing kills it by its process id and deletes the folder.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ProcessLog _log = new();
    private readonly string _authSection;
    private Process? _process;

    private RegistryServer(string directory, int port, string authSection)
    {
        Directory = directory;
        Port = port;
        _authSection = authSection;
    }

    public static string Executable { get; } = Environment.GetEnvironmentVariable("BERTH_TEST_REGISTRY") ?? "/usr/bin/docker-registry";

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The registry as image references name it: 127.0.0.1:port.</summary>
    public string Host => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string Log => _log.ToString();

    /// <summary>Anonymous pull and push.</summary>
    public static Task<RegistryServer> StartAnonymousAsync(CancellationToken cancellationToken)
        => StartNewAsync(_ => "", cancellationToken);

    /// <summary>Basic auth against <paramref name="htpasswdFile"/> (bcrypt entries), the registry's <c>auth: htpasswd</c>.</summary>
    public static Task<RegistryServer> StartHtpasswdAsync(string htpasswdFile, CancellationToken cancellationToken)
        => StartNewAsync(_ => $"""
            auth:
              htpasswd:
                realm: berth-test
                path: {htpasswdFile}
            """, cancellationToken);

    /// <summary>
    /// With its own <c>auth:</c> section (e.g. <c>auth: token</c> with a test token server's realm and CA), made from
    /// the server's temp folder.
    /// </summary>
    public static Task<RegistryServer> StartWithAuthAsync(Func<string, string> authSection, CancellationToken cancellationToken)
        => StartNewAsync(authSection, cancellationToken);

    private static async Task<RegistryServer> StartNewAsync(Func<string, string> authSection, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "berth-registry-" + Guid.NewGuid().ToString("N")[..12]);
            System.IO.Directory.CreateDirectory(directory);
            var server = new RegistryServer(directory, FreePort.Loopback(), authSection(directory));
            try
            {
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5 && server.Log.Contains("address already in use", StringComparison.Ordinal))
            {
                // Another test's server took the free port first: new port.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var config = Path.Combine(Directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {Path.Combine(Directory, "data")}
              delete:
                enabled: true
            http:
              addr: {Host}
            {_authSection}

            """, cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = new Process { StartInfo = start };
        _log.Capture(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // /v2/ answers 200 (anonymous) or 401 (auth) once the registry listens.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {process.ExitCode} while starting:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://{Host}/v2/"), cancellationToken).ConfigureAwait(false);
                if (response.Headers.Contains("Docker-Distribution-Api-Version"))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"docker-registry did not answer on {Host} after {StartTimeout.TotalSeconds:0} s:\n{Log}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the registry by its process id and waits for it to exit (its port is closed after).</summary>
    public async Task StopAsync()
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

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        TempFolders.DeleteQuietly(Directory);
    }
}
