using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.ApiServer.Security;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.StackApi;
using Berth.StackApi.Storage;
using Berth.Testing;

namespace Berth.ApiServer.Tests.Aggregation;

/// <summary>
/// berth-apiserver (in-process, on a real etcd) behind the Kubernetes API test double acting as kube-apiserver's
/// aggregation layer. Started with only --kubeconfig, the server reads the double's request-header CA and allowed
/// names (CN front-proxy-client) from kube-system/extension-apiserver-authentication, and delegates
/// authentication (TokenReview) and authorization (SubjectAccessReview) to the double through --kubeconfig; the
/// double holds the APIServices v1alpha3/v1beta2/v1beta1.compose.docker.com (compose-on-kubernetes's priorities)
/// for the Service docker/compose-api, whose "endpoint" is the server's URL. Clients talk to the double only.
/// </summary>
public sealed class FrontFixture : IAsyncLifetime
{
    public const string ServiceNamespace = "docker";
    public const string ServiceName = "compose-api";

    private EtcdServer? _etcd;
    private EtcdStackStore? _store;
    private ClusterClient? _cluster;
    private RunningServer? _server;
    private KubernetesApiDouble? _api;

    public TempProject Folder { get; } = new();

    /// <summary>The server's log lines.</summary>
    internal CapturedLogs Logs { get; } = new();

    public KubernetesApiDouble Api => _api ?? throw new InvalidOperationException("not started");

    public IStackStore Store => _store ?? throw new InvalidOperationException("not started");

    /// <summary>The real etcd behind berth-apiserver (fault tests stop and start it on the same data).</summary>
    public EtcdServer Etcd => _etcd ?? throw new InvalidOperationException("not started");

    internal RunningServer Server => _server ?? throw new InvalidOperationException("not started");

    /// <summary>A kubeconfig for the double as its default user (berth-test, allowed everything).</summary>
    public string Kubeconfig => Folder.PathOf("kubeconfig");

    /// <summary>
    /// A kubeconfig for the docker CLI 20.10: its docker context keeps only client certificates, basic auth,
    /// auth-provider and exec from a kubeconfig (docker/cli cli/context/kubernetes/load.go KubernetesConfig), so the
    /// token comes from an exec credential plugin (a shell printing an ExecCredential), as EKS/GKE-style configs do.
    /// </summary>
    public string DockerKubeconfig => Folder.PathOf("docker.kubeconfig");

    private void WriteDockerKubeconfig()
    {
        var ca = Convert.ToBase64String(Encoding.ASCII.GetBytes(Api.ServingCaPem! + "\n"));
        var credential = $$$"""{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"{{{Api.Token}}}"}}""";
        File.WriteAllText(DockerKubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: double
              cluster:
                server: {Api.BaseAddress.ToString().TrimEnd('/')}
                certificate-authority-data: {ca}
            users:
            - name: double
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: /bin/sh
                  args: ["-c", "printf '%s' '{credential.Replace("\"", "\\\"", StringComparison.Ordinal)}'"]
            contexts:
            - name: double
              context:
                cluster: double
                user: double
            current-context: double

            """);
    }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _etcd = await EtcdServer.StartNewAsync(cancellationToken: ct);
        _api = await KubernetesApiDouble.StartAsync(https: true, ct);
        // kube-apiserver publishes extension-apiserver-authentication before any extension server starts.
        _api.Aggregation.PublishAuthenticationConfigMap();
        var serverKubeconfig = _api.WriteKubeconfig(Folder.PathOf("server.kubeconfig"));
        _api.WriteKubeconfig(Kubeconfig);
        WriteDockerKubeconfig();
        _store = new EtcdStackStore(new EtcdStoreOptions([_etcd.Endpoint]) { CompactionInterval = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(5) });
        _cluster = ClusterClient.Create(serverKubeconfig);
        _server = await RunningServer.StartAsync(
            o => o with
            {
                // No CA flags: the front proxy's CA and names come from the double's extension-apiserver-authentication ConfigMap.
                TokenAuthFile = null,
                Kubeconfig = serverKubeconfig,
                AuthenticationConfigReloadInterval = TimeSpan.FromSeconds(1),
                ServiceName = ServiceName,
                ServiceNamespace = ServiceNamespace,
                // The cluster policy ConfigMap is read at every admission, so a test that changes it sees it at once.
                PolicyCacheTimeToLive = TimeSpan.Zero,
            },
            o => new ServerServices(_store, _cluster, TokenFile.Empty),
            ct,
            Logs);
        _api.Aggregation.SetServiceEndpoint(ServiceNamespace, ServiceName, _server.BaseUri);
        var caBundle = Convert.ToBase64String(Encoding.ASCII.GetBytes(await File.ReadAllTextAsync(_server.CaFile, ct)));
        using var client = Client(_api.Token);
        // compose-on-kubernetes's post-start hook: groupPriorityMinimum 1000, versionPriority 17/16/15, v1alpha3 highest.
        var priority = 17;
        foreach (var version in StackApiGroup.Versions)
        {
            var apiService = new JsonObject
            {
                ["apiVersion"] = "apiregistration.k8s.io/v1",
                ["kind"] = "APIService",
                ["metadata"] = new JsonObject { ["name"] = $"{version}.{StackApiGroup.Group}" },
                ["spec"] = new JsonObject
                {
                    ["group"] = StackApiGroup.Group,
                    ["version"] = version,
                    ["service"] = new JsonObject { ["namespace"] = ServiceNamespace, ["name"] = ServiceName, ["port"] = 443 },
                    ["caBundle"] = caBundle,
                    ["groupPriorityMinimum"] = 1000,
                    ["versionPriority"] = priority--,
                },
            };
            using var response = await client.PostAsync("apis/apiregistration.k8s.io/v1/apiservices", new StringContent(apiService.ToJsonString(), Encoding.UTF8, "application/json"), ct);
            Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        }
    }

    /// <summary>An HttpClient for the double (HTTPS on loopback, trusting its CA) with a bearer token.</summary>
    public HttpClient Client(string? token)
    {
        var ca = X509Certificate2.CreateFromPem(Api.ServingCaPem);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, [ca]),
        };
        var client = new HttpClient(handler) { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Runs the real kubectl against the double (no ambient KUBECONFIG), as the default user unless <paramref name="token"/>.</summary>
    public ToolResult Kubectl(string? token, params string[] args)
    {
        IEnumerable<string> all = token is null ? ["--kubeconfig", Kubeconfig, .. args] : ["--kubeconfig", Kubeconfig, "--token", token, .. args];
        return ToolProcess.Run(
            "/usr/bin/kubectl",
            all,
            Folder.Directory,
            new Dictionary<string, string> { ["HOME"] = Folder.Directory, ["KUBECACHEDIR"] = Folder.PathOf("kube-cache") },
            TimeSpan.FromSeconds(60),
            withoutAmbient: true);
    }

    /// <summary>
    /// Runs the real docker CLI 20.10 (/usr/bin/docker; --orchestrator=kubernetes needs no daemon) against the double
    /// with <see cref="DockerKubeconfig"/>, no ambient environment.
    /// </summary>
    public ToolResult DockerCli(TimeSpan timeout, params string[] args) => ToolProcess.Run(
        "/usr/bin/docker",
        args,
        Folder.Directory,
        new Dictionary<string, string>
        {
            ["HOME"] = Folder.Directory,
            ["DOCKER_CONFIG"] = Folder.PathOf("docker-config"),
            ["KUBECONFIG"] = DockerKubeconfig,
        },
        timeout,
        withoutAmbient: true);

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _cluster?.Dispose();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }

        Folder.Dispose();
    }
}
