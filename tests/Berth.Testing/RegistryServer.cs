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
    private readonly string _authSection;
    private readonly ServerProcess _server;

    private RegistryServer(string directory, int port, string authSection)
    {
        Directory = directory;
        Port = port;
        _authSection = authSection;
        var start = new ProcessStartInfo(Executable);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(ConfigFile);
        _server = new ServerProcess("docker-registry", start);
    }

    public static string Executable { get; } = Environment.GetEnvironmentVariable("BERTH_TEST_REGISTRY") ?? "/usr/bin/docker-registry";

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The registry as image references name it: 127.0.0.1:port.</summary>
    public string Host => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string Log => _server.Log.ToString();

    private string ConfigFile => Path.Combine(Directory, "config.yml");

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

    private static Task<RegistryServer> StartNewAsync(Func<string, string> authSection, CancellationToken cancellationToken)
        => ServerProcess.StartOnFreePortAsync(
            () =>
            {
                var directory = Path.Combine(Path.GetTempPath(), "berth-registry-" + Guid.NewGuid().ToString("N")[..12]);
                System.IO.Directory.CreateDirectory(directory);
                return new RegistryServer(directory, FreePort.Loopback(), authSection(directory));
            },
            (server, ct) => server.StartAsync(ct),
            "address already in use",
            cancellationToken);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(ConfigFile, $"""
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

        // /v2/ answers 200 (anonymous) or 401 (auth) once the registry listens.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var root = new Uri($"http://{Host}/v2/");
        await _server.StartAsync(
            async ct =>
            {
                using var response = await http.GetAsync(root, ct).ConfigureAwait(false);
                return response.Headers.Contains("Docker-Distribution-Api-Version");
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the registry by its process id and waits for it to exit (its port is closed after).</summary>
    public Task StopAsync() => _server.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        TempFolders.DeleteQuietly(Directory);
    }
}
