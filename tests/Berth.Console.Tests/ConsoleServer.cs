using System.Net;
using System.Text.RegularExpressions;
using Berth.Console.Accounts;
using Berth.Console.Hosting;
using Berth.Console.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Console.Tests;

/// <summary>
/// berth-console's web host on real Kestrel at 127.0.0.1 (a free port), with its SQLite store in a fresh data folder.
/// </summary>
internal sealed partial class ConsoleServer : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly WebApplication _app;

    private ConsoleServer(WebApplication app, string dataDirectory, Uri address)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Address = address;
    }

    public string DataDirectory { get; }

    public Uri Address { get; }

    public IConsoleStore Store => _app.Services.GetRequiredService<IConsoleStore>();

    public IServiceProvider Services => _app.Services;

    /// <param name="database">A PostgreSQL connection string (replicas on one database); null: SQLite in the data folder.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="kubeconfig">
    /// A kubeconfig (<c>--kubeconfig</c>), e.g. one the Kubernetes API test double wrote (<see cref="KubernetesConsole"/>);
    /// null: as the console finds one, which on a test machine is none.
    /// </param>
    /// <param name="policy">The console's <c>--policy</c> (with its mode); null: none.</param>
    public static async Task<ConsoleServer> StartAsync(CancellationToken cancellationToken, string? database = null, string? kubeconfig = null, Berth.Policy.Model.DeployPolicy? policy = null)
    {
        var data = Directory.CreateTempSubdirectory("berth-console-").FullName;
        var app = await ConsoleHost.BuildAsync(new ConsoleOptions { Urls = "http://127.0.0.1:0", DataDirectory = data, Database = database, Kubeconfig = kubeconfig, ResolveImage = Berth.Swarm.Apply.ImageResolution.Never, Policy = policy }, cancellationToken);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ConsoleServer(app, data, new Uri(address));
    }

    public async Task AddAccountAsync(string name, ConsoleRole role, IReadOnlyList<string>? stackPrefixes = null, CancellationToken cancellationToken = default, IReadOnlyList<string>? namespaces = null)
    {
        var problems = await _app.Services.GetRequiredService<AccountService>().AddAsync(name, role, Password, namespaces ?? [], stackPrefixes ?? [], "test", cancellationToken);
        Assert.Empty(problems);
    }

    /// <summary>A browser-like client: its own cookies, redirects not followed (the tests look at them).</summary>
    public HttpClient Client(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The antiforgery token of the login form, as a browser would post it back (its cookie is in the client's container).</summary>
    public static async Task<string> FormTokenAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var page = await client.GetStringAsync(path, cancellationToken);
        return WebUtility.HtmlDecode(TokenField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"no antiforgery field on {path}:\n{page}"));
    }

    /// <summary>Posts the login form as a browser would: GET the page for its token, POST name and password.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string name, string password, CancellationToken cancellationToken, string returnUrl = "/")
    {
        var token = await FormTokenAsync(client, "/login", cancellationToken);
        return await client.PostAsync(
            "/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["name"] = name, ["password"] = password, ["returnUrl"] = returnUrl }),
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
