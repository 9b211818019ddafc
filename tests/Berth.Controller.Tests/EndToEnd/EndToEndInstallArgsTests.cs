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
        GrantInstallRbac(front.Api, manifests);
        front.Api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{InstallNamespace}}}"}}""");
        front.Api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"installed"}}""");
        front.Api.Controllers.Enabled = true;
        var kubeconfig = ServiceAccountKubeconfig(front.Api, front.Folder.PathOf("sa.kubeconfig"));

        using var controller = await RunningControllerProcess.StartExactlyAsync(args, healthPort, Ct, environment: new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig });
        var holder = await HolderAsync(front.Api);
        using (var client = front.Client(front.Api.Token))
        {
            var stack = new JsonObject
            {
                ["apiVersion"] = "compose.docker.com/v1beta1",
                ["kind"] = "Stack",
                ["metadata"] = new JsonObject { ["name"] = "shop" },
                ["spec"] = new JsonObject { ["composeFile"] = "services:\n  web:\n    image: nginx:1.27\n" },
            };
            using var created = await client.PostAsync("apis/compose.docker.com/v1beta1/namespaces/installed/stacks", new StringContent(stack.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        }

        try
        {
            await Poll.UntilAsync(() => Phase(front, "installed", "shop") == "Available", "the stack Available", Ct, TimeSpan.FromSeconds(60));
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
        GrantInstallRbac(api, manifests);
        api.Seed($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{InstallNamespace}}}"}}""");
        // The install's CRD (v1alpha3 storage; v1beta2, v1beta1 served), as the default user would apply it; no
        // webhook configuration, so no webhook is called.
        var crd = manifests.Single(m => m["kind"]!.ToString() == "CustomResourceDefinition");
        crd["spec"]!["conversion"] = new JsonObject { ["strategy"] = "None" };
        api.Seed(crd.ToJsonString());
        api.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"installed"}}""");
        using (var client = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true }) { BaseAddress = api.BaseAddress })
        {
            // The default user creates a custom resource stack (loopback; the double's own CA is not what is tested here).
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", api.Token);
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
            var requests = api.Requests;
            var code = await controller.StopAsync(Ct);
            output.WriteLine(controller.Process.Output);

            Assert.StartsWith(Dns.GetHostName() + "_", holder, StringComparison.Ordinal);
            Assert.Contains(requests, r => r is { Verb: "list", Resource: "stacks.compose.docker.com", StatusCode: 200 } && r.User?.Name == ServiceAccount);
            Assert.Contains(requests, r => r is { Verb: "watch", Resource: "deployments.apps" } && r.User?.Name == ServiceAccount);
            Assert.DoesNotContain(requests, r => r.User?.Name == ServiceAccount && r.StatusCode == 403);
            Assert.Equal(0, code);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    /// <summary>The controller Deployment's container args, the health address moved to a free loopback port.</summary>
    private static (List<string> Args, int HealthPort) ControllerArgs(ImmutableArray<JsonObject> manifests)
    {
        var deployment = manifests.Single(m => m["kind"]!.ToString() == "Deployment" && m["metadata"]!["name"]!.ToString() == InstallManifests.ControllerName);
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/app/" + InstallManifests.ControllerName, container["command"]![0]!.ToString());
        var args = container["args"]!.AsArray().Select(a => a!.ToString()).ToList();
        var port = FreePort.Loopback();
        var health = args.FindIndex(a => a.StartsWith("--health-bind-address=", StringComparison.Ordinal));
        Assert.Equal("--health-bind-address=0.0.0.0:" + InstallManifests.HealthPort.ToString(CultureInfo.InvariantCulture), args[health]);
        args[health] = "--health-bind-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        Assert.DoesNotContain(args, a => a.StartsWith("--kubeconfig", StringComparison.Ordinal));
        return (args, port);
    }

    /// <summary>
    /// The double as the install's RBAC would make a cluster: the controller's service account gets exactly the
    /// rules of the roles its install bindings name (ClusterRoleBinding → ClusterRole, RoleBinding → Role in its
    /// namespace); the double's stored RBAC objects grant nothing by themselves (its README).
    /// </summary>
    private static void GrantInstallRbac(KubernetesApiDouble api, ImmutableArray<JsonObject> manifests)
    {
        api.Aggregation.AddUser(ServiceAccountToken, ServiceAccount, "system:serviceaccounts", "system:serviceaccounts:" + InstallNamespace);
        var granted = 0;
        foreach (var binding in manifests.Where(m => m["kind"]!.ToString() is "ClusterRoleBinding" or "RoleBinding"))
        {
            var forController = (binding["subjects"] as JsonArray ?? []).Any(s => s?["kind"]?.ToString() == "ServiceAccount" && s["name"]?.ToString() == InstallManifests.ControllerName && s["namespace"]?.ToString() == InstallNamespace);
            if (!forController)
            {
                continue;
            }

            var roleKind = binding["roleRef"]!["kind"]!.ToString();
            var roleName = binding["roleRef"]!["name"]!.ToString();
            var scope = binding["kind"]!.ToString() == "RoleBinding" ? binding["metadata"]!["namespace"]!.ToString() : null;
            var role = manifests.Single(m => m["kind"]!.ToString() == roleKind && m["metadata"]!["name"]!.ToString() == roleName);
            foreach (var rule in role["rules"]!.AsArray().OfType<JsonObject>())
            {
                var verbs = Strings(rule["verbs"]);
                var resources = Strings(rule["resources"]);
                var names = rule["resourceNames"] is null ? default : Strings(rule["resourceNames"]);
                foreach (var group in Strings(rule["apiGroups"]))
                {
                    api.Aggregation.Allow(new RbacRule(ServiceAccount, verbs, group, resources, scope, names));
                    granted++;
                }
            }
        }

        Assert.True(granted > 5, "the install binds no roles to the controller's service account");
    }

    /// <summary>The Lease's holder once there is one (/readyz is 200 for a replica standing by too).</summary>
    private static async Task<string?> HolderAsync(KubernetesApiDouble api)
    {
        string? Holder() => api.Get("leases.coordination.k8s.io", InstallNamespace, InstallManifests.ControllerName)?["spec"]?["holderIdentity"]?.ToString();
        await Poll.UntilAsync(() => Holder() is { Length: > 0 }, "the controller to hold the Lease", Ct, TimeSpan.FromSeconds(30));
        return Holder();
    }

    private static ImmutableArray<string> Strings(JsonNode? array) => [.. (array as JsonArray ?? []).Select(n => n!.ToString())];

    private static string ServiceAccountKubeconfig(KubernetesApiDouble api, string path)
    {
        api.WriteKubeconfig(path);
        var text = File.ReadAllText(path);
        Assert.Contains("token: " + api.Token, text, StringComparison.Ordinal);
        File.WriteAllText(path, text.Replace("token: " + api.Token, "token: " + ServiceAccountToken, StringComparison.Ordinal));
        return path;
    }

    private static string? Phase(FrontFixture front, string ns, string name)
    {
        using var client = front.Client(front.Api.Token);
        using var response = client.GetAsync($"apis/compose.docker.com/v1beta2/namespaces/{ns}/stacks/{name}", Ct).GetAwaiter().GetResult();
        return response.IsSuccessStatusCode
            ? JsonNode.Parse(response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult())?["status"]?["phase"]?.ToString()
            : null;
    }
}
