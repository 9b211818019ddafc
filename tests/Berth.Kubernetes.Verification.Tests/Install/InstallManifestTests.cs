using System.Text.Json.Nodes;
using Berth.Kubernetes.Install;
using Berth.Kubernetes.Verification.Tests.Support;
using Berth.Testing;

namespace Berth.Kubernetes.Verification.Tests.Install;

/// <summary>
/// The manifests of <c>berth system install</c>: golden files of both modes (fixed TLS material, so the output is
/// stable), every object valid against the strict Kubernetes 1.36 schema of its kind, labelled, in apply order.
/// </summary>
public sealed class InstallManifestTests
{
    private static readonly InstallTls FixedTls = new(
        "-----BEGIN CERTIFICATE-----\nTEST-CA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nTEST-SERVING\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\nTEST-KEY\n-----END PRIVATE KEY-----\n");

    public static TheoryData<string> Modes() => ["aggregated", "crd"];

    private static InstallOptions Options(string mode, string? etcd = null) => new()
    {
        Mode = mode == "crd" ? InstallMode.Crd : InstallMode.Aggregated,
        Image = "berth:0.1.0",
        EtcdServers = etcd,
        Replicas = 2,
    };

    private static IReadOnlyList<JsonObject> Build(InstallOptions options) => InstallManifests.Build(options, FixedTls, StackCrdSchemas.Load());

    [Theory]
    [MemberData(nameof(Modes))]
    public void Manifests_MatchTheGoldenFile(string mode)
    {
        var yaml = InstallManifests.ToYaml(Build(Options(mode)));
        var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "Berth.Kubernetes.Verification.Tests", "Install", "golden", mode + ".yaml");
        GoldenFiles.Verify(mode, new GoldenFile(path, yaml));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EveryManifest_IsValidForItsKind_AndLabelled(string mode)
    {
        var objects = Build(Options(mode));
        var violations = objects.SelectMany(o => KubernetesSchemaValidator.Shared.Validate(o)).Select(v => v.ToString()).ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
        Assert.All(objects, o =>
        {
            Assert.Equal("berth", (string?)o["metadata"]!["labels"]![InstallManifests.ManagedByLabel]);
            Assert.Equal("berth", (string?)o["metadata"]!["labels"]![InstallManifests.PartOfLabel]);
        });
        Assert.Equal(objects.Count, objects.Select(o => $"{o["kind"]}/{o["metadata"]!["namespace"]}/{o["metadata"]!["name"]}").Distinct().Count());

        // The validator does look inside: a misspelt field deep in each of the largest objects is refused.
        foreach (var kind in new[] { "Deployment", mode == "crd" ? "CustomResourceDefinition" : "APIService" })
        {
            var broken = (JsonObject)objects.First(o => (string?)o["kind"] == kind).DeepClone();
            var inner = kind == "CustomResourceDefinition" ? broken["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!.AsObject() : broken["spec"]!.AsObject();
            inner["requried"] = true;
            Assert.NotEmpty(KubernetesSchemaValidator.Shared.Validate(broken));
        }
    }

    [Fact]
    public void Aggregated_HasApiServicesEtcdAndRbac_InApplyOrder()
    {
        var objects = Build(Options("aggregated"));
        var kinds = objects.Select(o => (string)o["kind"]!).ToList();
        Assert.Equal("Namespace", kinds[0]);
        Assert.Equal(["v1alpha3.compose.docker.com", "v1beta2.compose.docker.com", "v1beta1.compose.docker.com"], objects.Where(o => (string?)o["kind"] == "APIService").Select(o => (string)o["metadata"]!["name"]!));
        Assert.Equal([17, 16, 15], objects.Where(o => (string?)o["kind"] == "APIService").Select(o => (int)o["spec"]!["versionPriority"]!));
        Assert.All(objects.Where(o => (string?)o["kind"] == "APIService"), o => Assert.Equal(Base64(FixedTls.CaCertificatePem), (string?)o["spec"]!["caBundle"]));

        // Every APIService comes after the Deployment serving it; the Secret and RBAC before any workload.
        Assert.True(kinds.IndexOf("APIService") > kinds.LastIndexOf("Deployment"));
        Assert.True(kinds.IndexOf("Secret") < kinds.IndexOf("StatefulSet"));
        Assert.True(kinds.LastIndexOf("ClusterRoleBinding") < kinds.IndexOf("Deployment"));
        Assert.Contains(objects, o => (string?)o["kind"] == "RoleBinding" && (string?)o["metadata"]!["namespace"] == "kube-system" && (string?)o["roleRef"]!["name"] == "extension-apiserver-authentication-reader");
        Assert.Contains(objects, o => (string?)o["kind"] == "ClusterRoleBinding" && (string?)o["roleRef"]!["name"] == "system:auth-delegator");
        foreach (var role in new[] { "view", "edit", "admin" })
        {
            Assert.Contains(objects, o => (string?)o["metadata"]!["name"] == "stack-" + role && (string?)o["metadata"]!["labels"]!["rbac.authorization.k8s.io/aggregate-to-" + role] == "true");
        }

        var etcd = Assert.Single(objects, o => (string?)o["kind"] == "StatefulSet");
        Assert.Equal("data", (string?)etcd["spec"]!["volumeClaimTemplates"]![0]!["metadata"]!["name"]);
        var apiServer = Args(objects, InstallManifests.ApiServerName);
        Assert.Contains("--etcd-servers=http://berth-etcd-0.berth-etcd.berth-system.svc:2379", apiServer);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void BothComponents_MayGetThePolicyConfigMapByName_AndAreToldItsNamespace(string mode)
    {
        var objects = Build(Options(mode) with { Namespace = "ops" });

        var role = Assert.Single(objects, o => (string?)o["kind"] == "Role" && (string?)o["metadata"]!["name"] == InstallManifests.PolicyReaderName);
        Assert.Equal("ops", (string?)role["metadata"]!["namespace"]);
        var rule = Assert.Single(role["rules"]!.AsArray())!;
        Assert.Equal(["configmaps"], rule["resources"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["berth-policy"], rule["resourceNames"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(["get"], rule["verbs"]!.AsArray().Select(r => (string)r!));
        var bound = objects.Where(o => (string?)o["kind"] == "RoleBinding" && (string?)o["roleRef"]!["name"] == InstallManifests.PolicyReaderName)
            .Select(o => (string)o["subjects"]![0]!["name"]!).Order(StringComparer.Ordinal);
        Assert.Equal([InstallManifests.ApiServerName, InstallManifests.ControllerName], bound);
        Assert.Contains("--policy-namespace=ops", Args(objects, InstallManifests.ApiServerName));
        Assert.Contains("--policy-namespace=ops", Args(objects, InstallManifests.ControllerName));
        // No --policy: no ConfigMap, so an administrator's own is left as it is.
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "ConfigMap");
    }

    [Fact]
    public void WithAPolicy_TheConfigMapHoldsItAndItsMode_BeforeTheWorkloads()
    {
        var objects = Build(Options("aggregated") with { Policy = "restricted", PolicyMode = "warn" });

        var configMap = Assert.Single(objects, o => (string?)o["kind"] == "ConfigMap");
        Assert.Equal("berth-policy", (string?)configMap["metadata"]!["name"]);
        Assert.Equal("berth-system", (string?)configMap["metadata"]!["namespace"]);
        Assert.Equal("restricted", (string?)configMap["data"]!["policy.yaml"]);
        Assert.Equal("warn", (string?)configMap["data"]!["mode"]);
        var kinds = objects.Select(o => (string)o["kind"]!).ToList();
        Assert.True(kinds.IndexOf("ConfigMap") < kinds.IndexOf("Deployment"));
        Assert.Empty(KubernetesSchemaValidator.Shared.Validate(configMap));
    }

    [Fact]
    public void Aggregated_WithExternalEtcd_HasNoEtcdStatefulSet()
    {
        var objects = Build(Options("aggregated", etcd: "https://etcd-1:2379,https://etcd-2:2379"));
        Assert.DoesNotContain(objects, o => (string?)o["kind"] == "StatefulSet" || (string?)o["metadata"]!["name"] == InstallManifests.EtcdName);
        Assert.Contains("--etcd-servers=https://etcd-1:2379,https://etcd-2:2379", Args(objects, InstallManifests.ApiServerName));
    }

    [Fact]
    public void Crd_HasTheCrdAndWebhooks_ServedByAWebhooksOnlyApiServer_AndNoEtcd()
    {
        var objects = Build(Options("crd"));
        Assert.DoesNotContain(objects, o => (string?)o["kind"] is "APIService" or "StatefulSet" || (string?)o["metadata"]!["name"] == InstallManifests.EtcdName);
        Assert.Equal(["--webhooks-only", "--secure-port=8443"], Args(objects, InstallManifests.ApiServerName).Take(2));
        Assert.DoesNotContain(Args(objects, InstallManifests.ApiServerName), a => a.StartsWith("--etcd", StringComparison.Ordinal));
        var service = Assert.Single(objects, o => (string?)o["kind"] == "Service");
        Assert.Equal(InstallManifests.WebhookServiceName, (string?)service["metadata"]!["name"]);
        Assert.Equal(InstallManifests.ApiServerName, (string?)service["spec"]!["selector"]!["app.kubernetes.io/name"]);
        var crd = Assert.Single(objects, o => (string?)o["kind"] == "CustomResourceDefinition");
        var versions = crd["spec"]!["versions"]!.AsArray();
        Assert.Equal(["v1alpha3", "v1beta2", "v1beta1"], versions.Select(v => (string)v!["name"]!));
        Assert.Equal(["v1alpha3"], versions.Where(v => (bool)v!["storage"]!).Select(v => (string)v!["name"]!));
        Assert.Equal(["Services", "Ports", "Status", "Age"], versions[0]!["additionalPrinterColumns"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.Equal("Webhook", (string?)crd["spec"]!["conversion"]!["strategy"]);
        Assert.Equal(InstallManifests.WebhookServiceName, (string?)crd["spec"]!["conversion"]!["webhook"]!["clientConfig"]!["service"]!["name"]);
        Assert.Equal("/webhooks/stacks/convert", (string?)crd["spec"]!["conversion"]!["webhook"]!["clientConfig"]!["service"]!["path"]);

        // The schema is Berth's own (the embedded file), not a permissive placeholder.
        Assert.Equal("object", (string?)versions[1]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["services"]!["items"]!["type"]);
        Assert.Contains(objects, o => (string?)o["kind"] == "ValidatingWebhookConfiguration");
        Assert.Contains(objects, o => (string?)o["kind"] == "MutatingWebhookConfiguration");
        var kinds = objects.Select(o => (string)o["kind"]!).ToList();
        Assert.True(kinds.IndexOf("CustomResourceDefinition") < kinds.IndexOf("Deployment"));
        // The webhooks before the CRD: no stack can be written before the mutating webhook records its owner.
        Assert.True(kinds.IndexOf("MutatingWebhookConfiguration") < kinds.IndexOf("CustomResourceDefinition"));
        Assert.True(kinds.IndexOf("ValidatingWebhookConfiguration") < kinds.IndexOf("CustomResourceDefinition"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Deployments_AreHardenedAndProbed(string mode)
    {
        var objects = Build(Options(mode));
        foreach (var deployment in objects.Where(o => (string?)o["kind"] == "Deployment"))
        {
            var pod = deployment["spec"]!["template"]!["spec"]!;
            Assert.Equal(2, (int)deployment["spec"]!["replicas"]!);
            Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
            var container = pod["containers"]![0]!;
            Assert.Equal("berth:0.1.0", (string?)container["image"]);
            Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
            Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
            Assert.Equal("""["ALL"]""", container["securityContext"]!["capabilities"]!["drop"]!.ToJsonString());
            Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
            Assert.NotNull(container["readinessProbe"]);
            Assert.Contains(objects, o => (string?)o["kind"] == "PodDisruptionBudget" && (string?)o["metadata"]!["name"] == (string?)deployment["metadata"]!["name"]);
        }

        var controller = Assert.Single(objects, o => (string?)o["metadata"]!["name"] == InstallManifests.ControllerName && (string?)o["kind"] == "Deployment");
        var probe = controller["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal(("/healthz", 10257), ((string)probe["livenessProbe"]!["httpGet"]!["path"]!, (int)probe["livenessProbe"]!["httpGet"]!["port"]!));
        Assert.Equal(("/readyz", 10257), ((string)probe["readinessProbe"]!["httpGet"]!["path"]!, (int)probe["readinessProbe"]!["httpGet"]!["port"]!));
    }

    [Fact]
    public void ControllerRole_CoversImpersonationChildrenLogsEventsAndStacks()
    {
        var role = Assert.Single(Build(Options("crd")), o => (string?)o["kind"] == "ClusterRole" && (string?)o["metadata"]!["name"] == InstallManifests.ControllerName);
        var granted = role["rules"]!.AsArray().SelectMany(r => r!["resources"]!.AsArray().SelectMany(res => r["verbs"]!.AsArray().Select(v => $"{r["apiGroups"]![0]}/{res}:{v}"))).ToHashSet();
        foreach (var needed in new[]
        {
            "/users:impersonate", "/groups:impersonate", "authentication.k8s.io/uids:impersonate", "authentication.k8s.io/userextras/*:impersonate",
            "apps/deployments:patch", "apps/statefulsets:delete", "/services:patch", "batch/jobs:create", "/pods/log:get", "/events:create",
            "compose.docker.com/stacks:watch", "compose.docker.com/stacks/status:update",
        })
        {
            Assert.Contains(needed, granted);
        }

        var lease = Assert.Single(Build(Options("crd")), o => (string?)o["kind"] == "Role" && (string?)o["metadata"]!["name"] == InstallManifests.ControllerName + "-leader-election");
        Assert.Equal("coordination.k8s.io", (string?)lease["rules"]![0]!["apiGroups"]![0]);
    }

    [Fact]
    public void SameInput_SameOutput()
    {
        Assert.Equal(InstallManifests.ToYaml(Build(Options("aggregated"))), InstallManifests.ToYaml(Build(Options("aggregated"))));
        Assert.Equal(InstallManifests.ToJson(Build(Options("crd"))), InstallManifests.ToJson(Build(Options("crd"))));
    }

    [Fact]
    public void Tls_ReusedFromTheSecret_OnlyWhileItCoversTheService()
    {
        var names = InstallTls.DnsNames(InstallManifests.ApiServerName, "berth-system");
        var now = DateTimeOffset.UtcNow;
        var tls = InstallTls.Generate(names, now);
        var data = SecretData(tls);

        Assert.Equal(tls, InstallTls.FromSecretData(data, names, now));
        Assert.Null(InstallTls.FromSecretData(data, InstallTls.DnsNames(InstallManifests.ApiServerName, "other"), now));
        Assert.Null(InstallTls.FromSecretData(data, names, now.AddYears(5)));
        Assert.Null(InstallTls.FromSecretData(new Dictionary<string, string> { ["tls.crt"] = "bm9wZQ==" }, names, now));

        // A serving certificate from another CA does not chain: generate anew.
        var other = InstallTls.Generate(names, now);
        Assert.Null(InstallTls.FromSecretData(SecretData(tls with { CaCertificatePem = other.CaCertificatePem }), names, now));
    }

    private static Dictionary<string, string> SecretData(InstallTls tls) => new()
    {
        [InstallTls.CaKey] = Base64(tls.CaCertificatePem),
        [InstallTls.CertificateKey] = Base64(tls.CertificatePem),
        [InstallTls.PrivateKeyKey] = Base64(tls.PrivateKeyPem),
    };

    private static List<string> Args(IReadOnlyList<JsonObject> objects, string deployment)
        => [.. Assert.Single(objects, o => (string?)o["kind"] == "Deployment" && (string?)o["metadata"]!["name"] == deployment)["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!)];

    private static string Base64(string text) => System.Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
}
