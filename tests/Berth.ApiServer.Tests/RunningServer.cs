using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Berth.ApiServer.Hosting;
using Berth.ApiServer.Security;
using Berth.Kubernetes.Access;
using Berth.StackApi;
using Berth.StackApi.Storage;
using Berth.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Berth.ApiServer.Tests;

/// <summary>
/// berth-apiserver started in-process on a free loopback port with its generated CA, a token file
/// (<c>admin-token</c> → admin in system:masters, <c>alice-token</c> → alice in dev), and the given services.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    public const string AdminToken = "admin-token";
    public const string AliceToken = "alice-token";

    private readonly WebApplication _app;

    private RunningServer(WebApplication app, TempProject folder, ServerOptions options)
    {
        _app = app;
        Folder = folder;
        Options = options;
        BaseUri = new Uri($"https://127.0.0.1:{options.SecurePort}/");
    }

    public TempProject Folder { get; }

    public ServerOptions Options { get; }

    public Uri BaseUri { get; }

    public string CaFile => Path.Combine(Options.CertDir, ServingCertificate.CaFileName);

    public static async Task<RunningServer> StartAsync(Func<ServerOptions, ServerOptions>? configure, Func<ServerOptions, ServerServices> services, CancellationToken cancellationToken, CapturedLogs? logs = null)
    {
        var folder = new TempProject(("tokens.csv", $"{AdminToken},admin,admin-uid,\"system:masters\"\n{AliceToken},alice,alice-uid,dev\n"));
        for (var attempt = 1; ; attempt++)
        {
            var options = new ServerOptions
            {
                SecurePort = FreePort.Loopback(),
                BindAddress = "127.0.0.1",
                CertDir = folder.PathOf("certs"),
                TokenAuthFile = folder.PathOf("tokens.csv"),
            };
            options = configure?.Invoke(options) ?? options;
            var app = ApiServerHost.Build(options, services(options), logs is null ? null : logging => logging.AddProvider(logs));
            try
            {
                await app.StartAsync(cancellationToken);
                return new RunningServer(app, folder, options);
            }
            catch (IOException) when (attempt < 5)
            {
                // The free port was taken before Kestrel bound it (another test's server): again on a new port.
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Standalone services on <paramref name="store"/>, or on a store whose etcd does not answer (tests of the surface without storage).</summary>
    public static ServerServices Standalone(ServerOptions options, IStackStore? store = null, Func<CancellationToken, Task<bool>>? etcdHealthy = null)
        => new(store ?? Unreachable, null, TokenFile.Load(options.TokenAuthFile!), null, etcdHealthy);

    private static readonly EtcdStackStore Unreachable = new(new EtcdStoreOptions([$"http://127.0.0.1:{FreePort.Loopback()}"]) { CompactionInterval = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(2) });

    /// <summary>An HttpClient that trusts only the server's generated CA, with a bearer token and/or client certificate.</summary>
    public HttpClient Client(string? token = null, X509Certificate2? clientCertificate = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(CaFile);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, [ca]),
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Folder.Dispose();
    }
}
