using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Berth.ApiServer.Hosting;
using Berth.ApiServer.Security;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Install;
using Berth.Testing;
using Microsoft.AspNetCore.Builder;

namespace Berth.Controller.Tests;

/// <summary>
/// The CRD mode as <c>berth system install --mode crd</c> sets it up, in the documented Kubernetes API test double
/// (not a cluster) playing kube-apiserver with its simulated controllers on: the Stack CRD and the validating and
/// mutating webhook configurations built by <see cref="InstallManifests"/> (created with the real kubectl), pointing at
/// berth-apiserver <c>--webhooks-only</c> (in-process, no etcd) behind the Service <c>berth-webhook.berth-system</c>
/// with the install's TLS material. No APIService: stacks are custom resources stored by the double.
/// </summary>
public sealed class CrdModeFixture : IAsyncLifetime
{
    public const string AliceToken = "alice-token";

    private KubernetesApiDouble? _api;
    private WebApplication? _webhooks;
    private ClusterClient? _cluster;

    public TempProject Folder { get; } = new();

    public KubernetesApiDouble Api => _api ?? throw new InvalidOperationException("not started");

    /// <summary>The double's own user (all rights): the controller's and the test's.</summary>
    public string Kubeconfig => Folder.PathOf("kubeconfig");

    /// <summary>The install's objects this mode routes stacks through: the CRD and the two webhook configurations.</summary>
    public IReadOnlyList<JsonObject> Routing { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _api = await KubernetesApiDouble.StartAsync(https: true, ct);
        _api.Controllers.Enabled = true;
        _api.WriteKubeconfig(Kubeconfig, @namespace: "default");
        _api.Aggregation.AddUser(AliceToken, "alice", "dev");

        var install = new InstallOptions { Mode = InstallMode.Crd, Image = "berth:test" };
        var tls = InstallTls.Generate(InstallTls.DnsNames(InstallManifests.WebhookServiceName, install.Namespace), DateTimeOffset.UtcNow);
        File.WriteAllText(Folder.PathOf("tls.crt"), tls.CertificatePem);
        File.WriteAllText(Folder.PathOf("tls.key"), tls.PrivateKeyPem);
        var options = new ServerOptions
        {
            SecurePort = FreePort.Loopback(),
            BindAddress = "127.0.0.1",
            TlsCertFile = Folder.PathOf("tls.crt"),
            TlsPrivateKeyFile = Folder.PathOf("tls.key"),
            CertDir = Folder.PathOf("certs"),
            WebhooksOnly = true,
            EtcdServers = [],
            ServiceName = InstallManifests.WebhookServiceName,
            ServiceNamespace = install.Namespace,
        };
        // The collision check reads as the requesting user, as the installed webhook server does.
        _cluster = ClusterClient.Create(_api.WriteKubeconfig(Folder.PathOf("webhooks.kubeconfig")));
        _webhooks = WebhookHost.Build(options, _cluster);
        await _webhooks.StartAsync(ct);
        _api.SetWebhookService(install.Namespace, InstallManifests.WebhookServiceName, 443, new Uri($"https://127.0.0.1:{options.SecurePort}/"));

        Routing = [.. InstallManifests.Build(install, tls, StackCrdSchemas.Load())
            .Where(o => o["kind"]?.ToString() is "CustomResourceDefinition" or "MutatingWebhookConfiguration" or "ValidatingWebhookConfiguration")];
        Assert.Equal(3, Routing.Count);
        foreach (var routing in Routing)
        {
            Kubectl(null, routing.ToJsonString(), "create", "-f", "-");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_webhooks is not null)
        {
            await _webhooks.StopAsync(CancellationToken.None);
            await _webhooks.DisposeAsync();
        }

        _cluster?.Dispose();
        Folder.Dispose();
    }

    /// <summary>A namespace where alice may do everything (stacks, and the children the controller writes as her).</summary>
    public void AddNamespaceForAlice(string ns)
    {
        Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""");
        Api.Aggregation.Allow(new RbacRule("alice", ["*"], "*", ["*"], ns));
    }

    /// <summary>An HTTP client of the double (its CA trusted) as <paramref name="token"/>'s user, or the double's own.</summary>
    public HttpClient Client(string? token = null)
    {
        var ca = X509Certificate2.CreateFromPem(Api.ServingCaPem);
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => CustomRoots.IsTrustedServer(certificate, errors, [ca]) };
        var client = new HttpClient(handler) { BaseAddress = Api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Api.Token);
        return client;
    }

    /// <summary>
    /// The real kubectl as the double's own user (null) or with a user's token; <paramref name="expectFailure"/> says
    /// which exit the test wants. The double serves no /openapi for custom resources, so client-side validation is off.
    /// </summary>
    public ToolResult Kubectl(string? token, string? input, params string[] args) => Kubectl(token, input, expectFailure: false, args);

    public ToolResult Kubectl(string? token, string? input, bool expectFailure, params string[] args)
    {
        string[] auth = token is null ? [] : ["--token", token];
        string[] validate = args[0] is "apply" or "create" ? ["--validate=false"] : [];
        var result = ToolProcess.Run("/usr/bin/kubectl", [.. args, .. validate, .. auth, "--kubeconfig", Kubeconfig, "--cache-dir", Folder.PathOf("kube-cache")], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: input);
        Assert.True(expectFailure ? result.ExitCode != 0 : result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}");
        return result;
    }
}
