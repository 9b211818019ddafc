using System.Net;
using System.Text.Json;
using Berth.Console.Accounts;
using Berth.Console.Hosting;
using Berth.Console.State;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Console.Tests;

/// <summary>
/// The shared resources tests' console: berth-console's web host on real Kestrel (127.0.0.1, a free port) against the
/// real Swarm engine and, when asked, the Kubernetes API test double (<see cref="KubernetesApiDouble"/>: an in-process
/// stand-in for the API server, not a cluster) through a kubeconfig written for it. Accounts: chief (admin), olga
/// (operator), victor (viewer), tess (viewer limited to namespace team-a).
/// </summary>
internal sealed class ResourcesTestBed : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private ResourcesTestBed(WebApplication app, string dataDirectory, Uri address, KubernetesApiDouble? api)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        Address = address;
        Api = api;
    }

    public Uri Address { get; }

    /// <summary>The Kubernetes API test double, or null when the console was started without a kubeconfig.</summary>
    public KubernetesApiDouble? Api { get; }

    public IConsoleStore Store => _app.Services.GetRequiredService<IConsoleStore>();

    /// <param name="withKubernetes">Start the API double and give the console a kubeconfig for it; false: no kubeconfig at all.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    public static async Task<ResourcesTestBed> StartAsync(bool withKubernetes, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("berth-console-resources-").FullName;
        KubernetesApiDouble? api = null;
        string? kubeconfig = null;
        if (withKubernetes)
        {
            api = await KubernetesApiDouble.StartAsync(cancellationToken);
            kubeconfig = api.WriteKubeconfig(Path.Combine(data, "kubeconfig"));
        }

        var app = await ConsoleHost.BuildAsync(new ConsoleOptions { Urls = "http://127.0.0.1:0", DataDirectory = data, Kubeconfig = kubeconfig, ResolveImage = Berth.Swarm.Apply.ImageResolution.Never }, cancellationToken);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var bed = new ResourcesTestBed(app, data, new Uri(address), api);
        var accounts = app.Services.GetRequiredService<AccountService>();
        foreach (var (name, role, namespaces) in new[] { ("chief", ConsoleRole.Admin, Array.Empty<string>()), ("olga", ConsoleRole.Operator, []), ("victor", ConsoleRole.Viewer, []), ("tess", ConsoleRole.Viewer, ["team-a"]) })
        {
            Assert.Empty(await accounts.AddAsync(name, role, ConsoleServer.Password, namespaces, [], "test", cancellationToken));
        }

        return bed;
    }

    /// <summary>A browser-like client signed in as <paramref name="name"/>: its own cookies, redirects not followed.</summary>
    public async Task<HttpClient> SignedInAsync(string name, CancellationToken cancellationToken)
    {
        var client = Client();
        using var answer = await ConsoleServer.SignInAsync(client, name, ConsoleServer.Password, cancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return client;
    }

    public HttpClient Client() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Posts the node assignment form as the page does: the page's antiforgery token, then the chosen orchestrator.</summary>
    public static async Task<HttpResponseMessage> AssignAsync(HttpClient client, string node, string orchestrator, CancellationToken cancellationToken, string? token = null)
    {
        token ??= await ConsoleServer.FormTokenAsync(client, "/resources", cancellationToken);
        return await client.PostAsync(
            $"/resources/nodes/{Uri.EscapeDataString(node)}/orchestrator",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["orchestrator"] = orchestrator }),
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}

/// <summary>
/// The local Swarm node's UCP orchestrator labels, read and restored with the docker CLI: the tests that assign nodes
/// change the real node, so each keeps the labels it found and puts them back.
/// </summary>
internal sealed class LocalSwarmNode : IDisposable
{
    public const string Docker = "/usr/bin/docker";

    public static readonly string[] UcpLabels = ["com.docker.ucp.orchestrator.swarm", "com.docker.ucp.orchestrator.kubernetes"];

    private readonly Dictionary<string, string> _original;

    public LocalSwarmNode()
    {
        Id = Run("info", "--format", "{{.Swarm.NodeID}}");
        Hostname = Run("node", "inspect", Id, "--format", "{{.Description.Hostname}}");
        _original = Labels();
    }

    public string Id { get; }

    public string Hostname { get; }

    public Dictionary<string, string> Labels() =>
        JsonSerializer.Deserialize<Dictionary<string, string>?>(Run("node", "inspect", Id, "--format", "{{json .Spec.Labels}}")) ?? [];

    /// <summary>Sets the UCP labels to what they were when this was made (others untouched).</summary>
    public void Dispose()
    {
        var current = Labels();
        var args = new List<string> { "node", "update" };
        foreach (var key in UcpLabels)
        {
            if (_original.TryGetValue(key, out var value))
            {
                args.AddRange(["--label-add", $"{key}={value}"]);
            }
            else if (current.ContainsKey(key))
            {
                args.AddRange(["--label-rm", key]);
            }
        }

        if (args.Count > 2)
        {
            args.Add(Id);
            Run([.. args]);
        }
    }

    private static string Run(params string[] args)
    {
        var result = ToolProcess.Run(Docker, args, withoutAmbient: true);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout.Trim();
    }
}

/// <summary>The tests that change the local Swarm node's labels run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SwarmNodeLabelsCollection
{
    public const string Name = "swarm node labels";
}
