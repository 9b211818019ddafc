using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Berth.ApiServer.Tests.Aggregation;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Install;
using Berth.Testing;

namespace Berth.Controller.Tests.EndToEnd;

/// <summary>
/// berth-controller started with exactly the container arguments <c>berth system install</c> writes
/// (<see cref="InstallManifests"/>, each mode), as the install's service account with only the RBAC the install's
/// roles grant, against the documented Kubernetes API test double (tests/Berth.Kubernetes.ApiDouble, not a
/// cluster). Two substitutions, both what a pod would have differently: the kubeconfig (a pod reads its service
/// account token and the cluster from /var/run/secrets and KUBERNETES_SERVICE_HOST; here KUBECONFIG names a file with
/// a token the double knows as <c>system:serviceaccount:berth-system:berth-controller</c>, so the arguments stay the
/// manifest's) and <c>--health-bind-address</c> (0.0.0.0:10257, the pod's IP, becomes a free loopback port).
/// </summary>
public sealed class EndToEndInstallArgsTests(FrontFixture front, ITestOutputHelper output) : IClassFixture<FrontFixture>
{
    private const string InstallNamespace = InstallOptions.DefaultNamespace;
    private const string ServiceAccountToken = "berth-controller-sa-token";
    private const string ApiServerAccountToken = "berth-apiserver-sa-token";
    private static readonly string ServiceAccount = $"system:serviceaccount:{InstallNamespace}:{InstallManifests.ControllerName}";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ImmutableArray<JsonObject> Manifests(InstallMode mode) => InstallManifests.Build(
        new InstallOptions { Mode = mode, Image = "berth:e2e" },
        InstallTls.Generate(InstallTls.DnsNames(InstallManifests.ServingServiceName(mode), InstallNamespace), DateTimeOffset.UtcNow),
        StackCrdSchemas.Load());

    [Fact]
    public async Task Aggregated_TheControllerFromTheInstallArgs_LeadsAndReconcilesAStack_AsItsServiceAccount()
    {
        var manifests = Manifests(InstallMode.Aggregated);
        var (args, healthPort) = ControllerArgs(manifests);
        GrantInstallRbac(front.Api, manifests, InstallManifests.ControllerName, ServiceAccountToken);
        front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{InstallNamespace}}}"}}""");
        front.Api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"installed"}}""");
        front.Api.Controllers.Enabled = true;
        var kubeconfig = ServiceAccountKubeconfig(front.Api, front.Folder.PathOf("sa.kubeconfig"));

        using var controller = await RunningControllerProcess.StartExactlyAsync(args, healthPort, Ct, environment: new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });
        var holder = await HolderAsync(front.Api);
        Assert.Equal(HttpStatusCode.Created, await CreateStackAsync(front.Api, "installed", "shop"));

        try
        {
            await Poll.UntilAsync(() => Phase(front.Api, "installed", "shop") == "Available", "the stack Available", Ct, TimeSpan.FromSeconds(60));
        }
        finally
        {
            output.WriteLine(controller.Process.Output);
            foreach (var r in front.Api.Requests.Where(r => r.StatusCode >= 400))
            {
                output.WriteLine($"{r.User?.Name} ({r.ImpersonatedBy}) {r.Method} {r.Path}{r.Query} → {r.StatusCode}");
            }
        }

        var requests = front.Api.Requests;
        var code = await controller.StopAsync(Ct);

        Assert.StartsWith(Dns.GetHostName() + "_", holder, StringComparison.Ordinal);
        Assert.NotNull(front.Api.Get("deployments.apps", "installed", "web"));
        // Every request the controller made was authenticated as the service account: reads as itself, child and
        // stack writes impersonating the stack's owner; none was refused by the install's RBAC.
        var bySa = requests.Where(r => r.User?.Name == ServiceAccount || r.ImpersonatedBy == ServiceAccount).ToList();
        Assert.Contains(bySa, r => r is { Verb: "patch", Resource: "deployments.apps", Name: "web" } && r.StatusCode < 300 && r.ImpersonatedBy == ServiceAccount);
        Assert.Contains(bySa, r => r is { Verb: "get", Resource: "stacks.compose.docker.com", Subresource: "owner" } && r.StatusCode == 200);
        Assert.DoesNotContain(bySa, r => r.StatusCode == 403);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, front.Api.Get("leases.coordination.k8s.io", InstallNamespace, InstallManifests.ControllerName)?["spec"]?["holderIdentity"]?.ToString());
    }

    [Fact]
    public async Task Crd_TheControllerFromTheInstallArgs_LeadsAndSyncsTheCustomResourceStacks_AsItsServiceAccount()
    {
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        var manifests = Manifests(InstallMode.Crd);
        var (args, healthPort) = ControllerArgs(manifests);
        GrantInstallRbac(api, manifests, InstallManifests.ControllerName, ServiceAccountToken);
        api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{InstallNamespace}}}"}}""");
        // The install's CRD (v1alpha3 storage; v1beta2, v1beta1 served), as the default user would apply it; no
        // webhook configuration, so no webhook is called.
        var crd = manifests.Single(m => m["kind"]!.ToString() == "CustomResourceDefinition");
        crd["spec"]!["conversion"] = new JsonObject { ["strategy"] = "None" };
        api.Seed(crd.ToJsonString());
        api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"installed"}}""");
        using (var client = DoubleClient(api))
        {
            using var created = await client.PostAsync("apis/compose.docker.com/v1alpha3/namespaces/installed/stacks", new StringContent("""{"apiVersion":"compose.docker.com/v1alpha3","kind":"Stack","metadata":{"name":"shop"},"spec":{"services":[{"name":"web","image":"nginx:1.27"}]}}""", Encoding.UTF8, "application/json"), Ct);
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        }

        var kubeconfig = ServiceAccountKubeconfig(api, Path.Combine(Path.GetTempPath(), $"berth-sa-{Guid.NewGuid():N}.kubeconfig"));
        try
        {
            using var controller = await RunningControllerProcess.StartExactlyAsync(args, healthPort, Ct, environment: new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });
            var holder = await HolderAsync(api);
            // Ready: leading and the first list of the CRD's stacks answered (v1beta1, served by the double with strategy None).
            await Poll.UntilAsync(() => api.Requests.Any(r => r is { Verb: "get", Resource: "stacks.compose.docker.com", Name: "shop" } && r.User?.Name == ServiceAccount), "the controller to read the stack", Ct, TimeSpan.FromSeconds(30));
            // The children's informers start beside the stacks' and may still be connecting when the stack is read.
            await Poll.UntilAsync(() => api.Requests.Any(r => r is { Verb: "list", Resource: "deployments.apps" } && r.User?.Name == ServiceAccount), "the controller to list its Deployments", Ct, TimeSpan.FromSeconds(30));
            var code = await controller.StopAsync(Ct);
            var requests = api.Requests;
            output.WriteLine(controller.Process.Output);

            Assert.StartsWith(Dns.GetHostName() + "_", holder, StringComparison.Ordinal);
            Assert.Contains(requests, r => r is { Verb: "list", Resource: "stacks.compose.docker.com", StatusCode: 200 } && r.User?.Name == ServiceAccount);
            // Its children's informers, as the install's service account (list, then watch).
            Assert.Contains(requests, r => r is { Verb: "list", Resource: "deployments.apps", StatusCode: 200 } && r.User?.Name == ServiceAccount);
            Assert.DoesNotContain(requests, r => r.User?.Name == ServiceAccount && r.StatusCode == 403);
            Assert.Equal(0, code);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    /// <summary>
    /// Aggregated mode, both Deployments from the install's args against the double: berth-apiserver as its service
    /// account (install RBAC) with the install's TLS material, behind the install's APIServices (their caBundle is the
    /// install's CA; the double dials it with server name berth-apiserver.berth-system.svc, as kube-apiserver does),
    /// and berth-controller as above. Substituted, as a pod would differ: --etcd-servers (the install's in-cluster
    /// berth-etcd-0 address → this test's real etcd), --secure-port/--bind-address (8443 on all addresses → a free
    /// loopback port), the TLS files (the Secret's mount /var/run/berth/tls → a temp folder holding the same
    /// tls.crt/tls.key), the kubeconfig (the controller: KUBECONFIG; berth-apiserver reads no KUBECONFIG, so a
    /// --kubeconfig flag is added for it).
    /// </summary>
    [Fact]
    public async Task Aggregated_TheApiServerAndControllerFromTheInstallArgs_ServeAndReconcileAStack()
    {
        await using var etcd = await EtcdServer.StartNewAsync(Ct);
        await using var api = await KubernetesApiDouble.StartAsync(https: true, Ct);
        api.Aggregation.PublishAuthenticationConfigMap();
        var manifests = Manifests(InstallMode.Aggregated);
        GrantInstallRbac(api, manifests, InstallManifests.ApiServerName, ApiServerAccountToken);
        GrantInstallRbac(api, manifests, InstallManifests.ControllerName, ServiceAccountToken);
        api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{InstallNamespace}}}"}}""");
        api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"installed"}}""");
        api.Controllers.Enabled = true;
        var folder = Directory.CreateTempSubdirectory("berth-install-e2e-").FullName;
        try
        {
            var secret = manifests.Single(m => m["kind"]!.ToString() == "Secret" && m["metadata"]!["name"]!.ToString() == InstallManifests.TlsSecretName)["data"]!;
            foreach (var key in new[] { InstallTls.CertificateKey, InstallTls.PrivateKeyKey })
            {
                await File.WriteAllBytesAsync(Path.Combine(folder, key), Convert.FromBase64String(secret[key]!.ToString()), Ct);
            }

            var port = FreePort.Loopback();
            var serverArgs = ContainerArgs(manifests, InstallManifests.ApiServerName);
            Substitute(serverArgs, "--etcd-servers=", $"http://{InstallManifests.EtcdName}-0.{InstallManifests.EtcdName}.{InstallNamespace}.svc:2379", etcd.Endpoint);
            Substitute(serverArgs, "--secure-port=", InstallManifests.ApiServerPort.ToString(CultureInfo.InvariantCulture), port.ToString(CultureInfo.InvariantCulture));
            Substitute(serverArgs, "--bind-address=", "0.0.0.0", "127.0.0.1");
            Substitute(serverArgs, "--tls-cert-file=", "/var/run/berth/tls/" + InstallTls.CertificateKey, Path.Combine(folder, InstallTls.CertificateKey));
            Substitute(serverArgs, "--tls-private-key-file=", "/var/run/berth/tls/" + InstallTls.PrivateKeyKey, Path.Combine(folder, InstallTls.PrivateKeyKey));
            var serverKubeconfig = ServiceAccountKubeconfig(api, Path.Combine(folder, "apiserver.kubeconfig"), ApiServerAccountToken);
            // berth-apiserver reads only --kubeconfig or the pod's in-cluster account (not KUBECONFIG): the one added flag.
            using var server = ControllerProcess.StartApiServer(new Dictionary<string, string>(), [.. serverArgs, "--kubeconfig", serverKubeconfig]);
            using (var client = DoubleClient(api))
            {
                foreach (var apiService in manifests.Where(m => m["kind"]!.ToString() == "APIService"))
                {
                    using var posted = await client.PostAsync("apis/apiregistration.k8s.io/v1/apiservices", new StringContent(apiService.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
                    Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
                }
            }

            api.Aggregation.SetServiceEndpoint(InstallNamespace, InstallManifests.ApiServerName, new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"));
            HttpStatusCode created = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((created = await CreateStackAsync(api, "installed", "shop")) != HttpStatusCode.Created)
            {
                // Until berth-apiserver listens and has read its authentication configuration, the proxy answers 503.
                Assert.False(server.HasExited, "berth-apiserver exited:\n" + server.Output);
                Assert.True(DateTime.UtcNow < deadline, $"no stack created through the install's APIService within 60 s (last {(int)created}); berth-apiserver:\n{server.Output}");
                await Task.Delay(300, Ct);
            }

            var (controllerArgs, healthPort) = ControllerArgs(manifests);
            var controllerKubeconfig = ServiceAccountKubeconfig(api, Path.Combine(folder, "controller.kubeconfig"));
            using var controller = await RunningControllerProcess.StartExactlyAsync(controllerArgs, healthPort, Ct, environment: new Dictionary<string, string> { ["KUBECONFIG"] = controllerKubeconfig });
            try
            {
                await Poll.UntilAsync(() => Phase(api, "installed", "shop") == "Available", "the stack Available", Ct, TimeSpan.FromSeconds(60));
            }
            finally
            {
                output.WriteLine("berth-apiserver:\n" + server.Output);
                output.WriteLine("berth-controller:\n" + controller.Process.Output);
            }

            var requests = api.Requests;
            Assert.NotNull(api.Get("deployments.apps", "installed", "web"));
            Assert.Contains(requests, r => r is { Verb: "patch", Resource: "deployments.apps", Name: "web" } && r.StatusCode < 300 && r.ImpersonatedBy == ServiceAccount);
            Assert.DoesNotContain(requests, r => r.StatusCode == 403);
            Assert.Equal(0, await controller.StopAsync(Ct));
            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The controller Deployment's container args, the health address moved to a free loopback port.</summary>
    private static (List<string> Args, int HealthPort) ControllerArgs(ImmutableArray<JsonObject> manifests)
    {
        var args = ContainerArgs(manifests, InstallManifests.ControllerName);
        var port = FreePort.Loopback();
        Substitute(args, "--health-bind-address=", "0.0.0.0:" + InstallManifests.HealthPort.ToString(CultureInfo.InvariantCulture), "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        return (args, port);
    }

    /// <summary>The args of Deployment <paramref name="name"/>'s container, whose command is /app/<paramref name="name"/>.</summary>
    private static List<string> ContainerArgs(ImmutableArray<JsonObject> manifests, string name)
    {
        var deployment = manifests.Single(m => m["kind"]!.ToString() == "Deployment" && m["metadata"]!["name"]!.ToString() == name);
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/app/" + name, container["command"]![0]!.ToString());
        var args = container["args"]!.AsArray().Select(a => a!.ToString()).ToList();
        Assert.DoesNotContain(args, a => a.StartsWith("--kubeconfig", StringComparison.Ordinal));
        return args;
    }

    /// <summary>Replaces the value of <c>FLAG=</c><paramref name="expected"/> (which must be there) by <paramref name="replacement"/>.</summary>
    private static void Substitute(List<string> args, string flag, string expected, string replacement)
    {
        var index = args.FindIndex(a => a.StartsWith(flag, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no {flag} in {string.Join(' ', args)}");
        Assert.Equal(flag + expected, args[index]);
        args[index] = flag + replacement;
    }

    /// <summary>
    /// The double as the install's RBAC would make a cluster: service account <paramref name="name"/> (token
    /// <paramref name="token"/>) gets exactly the rules of the roles its install bindings name (ClusterRoleBinding →
    /// ClusterRole, RoleBinding → Role in its namespace); the double's stored RBAC objects grant nothing by themselves
    /// (its README). Roles the install binds but does not define are Kubernetes' bootstrap roles, given here with their
    /// rules. Returns the service account's user name.
    /// </summary>
    private static string GrantInstallRbac(KubernetesApiDouble api, ImmutableArray<JsonObject> manifests, string name, string token)
    {
        var user = $"system:serviceaccount:{InstallNamespace}:{name}";
        api.Aggregation.AddUser(token, user, "system:serviceaccounts", "system:serviceaccounts:" + InstallNamespace);
        var granted = 0;
        foreach (var binding in manifests.Where(m => m["kind"]!.ToString() is "ClusterRoleBinding" or "RoleBinding"))
        {
            var forAccount = (binding["subjects"] as JsonArray ?? []).Any(s => s?["kind"]?.ToString() == "ServiceAccount" && s["name"]?.ToString() == name && s["namespace"]?.ToString() == InstallNamespace);
            if (!forAccount)
            {
                continue;
            }

            var roleKind = binding["roleRef"]!["kind"]!.ToString();
            var roleName = binding["roleRef"]!["name"]!.ToString();
            var scope = binding["kind"]!.ToString() == "RoleBinding" ? binding["metadata"]!["namespace"]!.ToString() : null;
            var role = manifests.SingleOrDefault(m => m["kind"]!.ToString() == roleKind && m["metadata"]!["name"]!.ToString() == roleName);
            var rules = role?["rules"]!.AsArray().OfType<JsonObject>() ?? BootstrapRole(roleName);
            foreach (var rule in rules)
            {
                var verbs = Strings(rule["verbs"]);
                var resources = Strings(rule["resources"]);
                var names = rule["resourceNames"] is null ? default : Strings(rule["resourceNames"]);
                foreach (var group in Strings(rule["apiGroups"]))
                {
                    api.Aggregation.Allow(new RbacRule(user, verbs, group, resources, scope, names));
                    granted++;
                }
            }
        }

        Assert.True(granted > 2, $"the install binds no roles to service account {name}");
        return user;
    }

    // The bootstrap roles the install binds (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go:
    // system:auth-delegator; namespace_policy.go: extension-apiserver-authentication-reader in kube-system).
    private static IEnumerable<JsonObject> BootstrapRole(string name) => name switch
    {
        "system:auth-delegator" =>
        [
            new JsonObject { ["apiGroups"] = new JsonArray("authentication.k8s.io"), ["resources"] = new JsonArray("tokenreviews"), ["verbs"] = new JsonArray("create") },
            new JsonObject { ["apiGroups"] = new JsonArray("authorization.k8s.io"), ["resources"] = new JsonArray("subjectaccessreviews"), ["verbs"] = new JsonArray("create") },
        ],
        "extension-apiserver-authentication-reader" =>
        [
            new JsonObject { ["apiGroups"] = new JsonArray(""), ["resources"] = new JsonArray("configmaps"), ["resourceNames"] = new JsonArray("extension-apiserver-authentication"), ["verbs"] = new JsonArray("get", "list", "watch") },
        ],
        _ => throw new InvalidOperationException($"the install binds role {name}, which it does not define and which is not a known bootstrap role"),
    };

    /// <summary>The Lease's holder once there is one (/readyz is 200 for a replica standing by too).</summary>
    private static async Task<string?> HolderAsync(KubernetesApiDouble api)
    {
        string? Holder() => api.Get("leases.coordination.k8s.io", InstallNamespace, InstallManifests.ControllerName)?["spec"]?["holderIdentity"]?.ToString();
        await Poll.UntilAsync(() => Holder() is { Length: > 0 }, "the controller to hold the Lease", Ct, TimeSpan.FromSeconds(30));
        return Holder();
    }

    private static ImmutableArray<string> Strings(JsonNode? array) => [.. (array as JsonArray ?? []).Select(n => n!.ToString())];

    private static string ServiceAccountKubeconfig(KubernetesApiDouble api, string path, string token = ServiceAccountToken)
    {
        api.WriteKubeconfig(path);
        var text = File.ReadAllText(path);
        Assert.Contains("token: " + api.Token, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("token: " + api.Token, "token: " + token, StringComparison.Ordinal));
        return path;
    }

    /// <summary>An HttpClient for the double as its default user (trusting only the double's CA).</summary>
    private static HttpClient DoubleClient(KubernetesApiDouble api)
    {
        var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(api.ServingCaPem);
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, errors) => Berth.Kubernetes.Access.CustomRoots.IsTrustedServer(certificate, errors, [ca]) };
        var client = new HttpClient(handler) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", api.Token);
        return client;
    }

    private static async Task<HttpStatusCode> CreateStackAsync(KubernetesApiDouble api, string ns, string name)
    {
        using var client = DoubleClient(api);
        var stack = new JsonObject
        {
            ["apiVersion"] = "compose.docker.com/v1beta1",
            ["kind"] = "Stack",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx:1.27\n" },
        };
        using var created = await client.PostAsync($"apis/compose.docker.com/v1beta1/namespaces/{ns}/stacks", new StringContent(stack.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        return created.StatusCode;
    }

    private static string? Phase(KubernetesApiDouble api, string ns, string name)
    {
        using var client = DoubleClient(api);
        using var response = client.GetAsync($"apis/compose.docker.com/v1beta2/namespaces/{ns}/stacks/{name}", Ct).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult())?["status"]?["phase"]?.ToString()
            : null;
    }
}
