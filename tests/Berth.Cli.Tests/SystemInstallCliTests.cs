using System.Text;
using System.Text.Json.Nodes;
using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Install;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth system install|status|uninstall</c> run in-process against <see cref="KubernetesApiDouble"/> — the
/// documented in-process test double of the Kubernetes API (tests/Berth.Kubernetes.ApiDouble/README.md), not a cluster:
/// it stores the RBAC, APIService, CRD and webhook-configuration objects but runs none of them.
/// </summary>
public sealed class SystemInstallCliTests : KubernetesStackCliTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private (int ExitCode, string Stdout, string Stderr) System(params string[] args)
    {
        // Every cluster has kube-system (the authentication-reader RoleBinding goes there); the double starts empty.
        if (Double.Get("namespaces", null, "kube-system") is null)
        {
            Double.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-system"}}""");
        }

        return CliRunner.RunWith(new Dictionary<string, string>(), ["system", .. args, "--kubeconfig", Kubeconfig]);
    }

    [Fact]
    public void Status_BeforeAndAfterInstall()
    {
        var before = System("status");
        Assert.Equal(1, before.ExitCode);
        Assert.Contains("Berth is not installed in namespace berth-system", before.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: run 'berth system install -n berth-system'", before.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, System("install", "--mode", "aggregated", "--replicas", "2").ExitCode);
        var after = System("status");
        Assert.True(after.ExitCode == 0, after.Stderr);
        Assert.Contains("Berth (aggregated mode) in namespace berth-system", after.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deployment berth-controller: 0/2 ready, image berth:0.1.0", after.Stdout, StringComparison.Ordinal);

        // The double has no endpoint for the Service: the APIService is not Available, as on a cluster whose pods are not up.
        Assert.Contains("APIService v1alpha3.compose.docker.com: Available=False (ServiceNotFound)", after.Stdout, StringComparison.Ordinal);

        var json = JsonNode.Parse(System("status", "-o", "json").Stdout)!;
        Assert.True((bool)json["installed"]!);
        Assert.Equal("aggregated", (string?)json["mode"]);
        Assert.Equal(["berth-apiserver", "berth-controller"], json["deployments"]!.AsArray().Select(d => (string)d!["name"]!));
    }

    [Fact]
    public void InstallAggregated_CreatesEveryObject_AndASecondInstallWritesNothing()
    {
        var (code, stdout, stderr) = System("install");
        Assert.True(code == 0, stderr);
        Assert.Contains("created Namespace berth-system", stdout, StringComparison.Ordinal);
        Assert.Contains("created APIService v1beta2.compose.docker.com", stdout, StringComparison.Ordinal);
        Assert.Contains("a new CA and serving certificate were generated", stdout, StringComparison.Ordinal);
        foreach (var (resource, ns, name) in new[]
        {
            ("serviceaccounts", "berth-system", "berth-apiserver"), ("clusterroles.rbac.authorization.k8s.io", null, "stack-edit"),
            ("clusterrolebindings.rbac.authorization.k8s.io", null, "berth-apiserver:system:auth-delegator"),
            ("rolebindings.rbac.authorization.k8s.io", "kube-system", "berth-apiserver-authentication-reader"),
            ("roles.rbac.authorization.k8s.io", "berth-system", "berth-controller-leader-election"), ("secrets", "berth-system", "berth-tls"),
            ("statefulsets.apps", "berth-system", "berth-etcd"), ("deployments.apps", "berth-system", "berth-apiserver"),
            ("poddisruptionbudgets.policy", "berth-system", "berth-controller"), ("apiservices.apiregistration.k8s.io", null, "v1alpha3.compose.docker.com"),
        })
        {
            Assert.True(Double.Get(resource, ns, name) is not null, $"{resource} {ns}/{name} missing");
        }

        var caBundle = (string?)Double.Get("apiservices.apiregistration.k8s.io", null, "v1beta1.compose.docker.com")!["spec"]!["caBundle"];
        Double.ClearRequests();

        var again = System("install");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(0, Double.Writes);

        // One GET per object (the Secret's read serves both the TLS reuse and the comparison).
        Assert.Equal(28, Double.Reads);
        Assert.DoesNotContain("created ", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("updated ", again.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 created, 0 updated, 28 unchanged", again.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("new CA", again.Stdout, StringComparison.Ordinal);

        // The CA was read back from the Secret, not rotated.
        Assert.Equal(caBundle, (string?)Double.Get("apiservices.apiregistration.k8s.io", null, "v1beta1.compose.docker.com")!["spec"]!["caBundle"]);
    }

    [Fact]
    public void InstallCrd_CreatesTheCrdAndWebhookConfigurations_AndStatusSaysWhatIsNotServed()
    {
        var (code, stdout, stderr) = System("install", "--mode", "crd", "-n", "berth");
        Assert.True(code == 0, stderr);
        Assert.Contains("created CustomResourceDefinition stacks.compose.docker.com", stdout, StringComparison.Ordinal);
        var crd = Double.Get("customresourcedefinitions.apiextensions.k8s.io", null, "stacks.compose.docker.com")!;
        Assert.Equal("berth-webhook", (string?)crd["spec"]!["conversion"]!["webhook"]!["clientConfig"]!["service"]!["name"]);
        Assert.Equal("berth", (string?)crd["spec"]!["conversion"]!["webhook"]!["clientConfig"]!["service"]!["namespace"]);
        Assert.NotNull(Double.Get("validatingwebhookconfigurations.admissionregistration.k8s.io", null, "berth-stacks"));
        Assert.NotNull(Double.Get("mutatingwebhookconfigurations.admissionregistration.k8s.io", null, "berth-stacks"));
        var webhooks = Double.Get("deployments.apps", "berth", "berth-apiserver")!;
        Assert.Equal("--webhooks-only", (string?)webhooks["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]![0]);
        Assert.Equal("/webhooks/stacks/validate", (string?)Double.Get("validatingwebhookconfigurations.admissionregistration.k8s.io", null, "berth-stacks")!["webhooks"]![0]!["clientConfig"]!["service"]!["path"]);
        Assert.Empty(Double.List("apiservices.apiregistration.k8s.io"));

        Double.ClearRequests();
        Assert.Equal(0, System("install", "--mode", "crd", "-n", "berth").ExitCode);
        Assert.Equal(0, Double.Writes);

        var status = System("status", "-n", "berth");
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("Berth (crd mode) in namespace berth", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("CustomResourceDefinition stacks.compose.docker.com: Established=True", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("note: no berth-apiserver pod is ready to serve the stacks' webhooks", status.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void NewImage_UpdatesOnlyTheDeployments()
    {
        Assert.Equal(0, System("install").ExitCode);
        Double.ClearRequests();

        var (code, stdout, stderr) = System("install", "--image", "registry.example/berth:0.2.0");
        Assert.True(code == 0, stderr);
        var writes = Double.Requests.Where(r => r.IsWrite).ToList();
        Assert.Equal(2, writes.Count);
        Assert.All(writes, w => Assert.Equal(("patch", "deployments.apps"), (w.Verb, w.Resource)));
        Assert.Contains("updated Deployment berth-system/berth-controller (spec.template.spec.containers[berth-controller].image)", stdout, StringComparison.Ordinal);
        Assert.Contains("0 created, 2 updated, 26 unchanged", stdout, StringComparison.Ordinal);
        Assert.Equal("registry.example/berth:0.2.0", (string?)Double.Get("deployments.apps", "berth-system", "berth-apiserver")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task Uninstall_RemovesWhatInstallMade_AndKeepsTheStacksWorkloads()
    {
        Double.Seed("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop","labels":{"com.docker.stack.namespace":"shop"}},
             "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
            """);
        Assert.Equal(0, System("install", "--mode", "crd").ExitCode);

        var (code, stdout, stderr) = System("uninstall");
        Assert.True(code == 0, stderr);
        Assert.Contains("deleted MutatingWebhookConfiguration berth-stacks", stdout, StringComparison.Ordinal);
        Assert.Contains("deleted ClusterRole stack-view", stdout, StringComparison.Ordinal);
        Assert.Contains("kept Deployment shop/web", stdout, StringComparison.Ordinal);
        Assert.Contains("kept CustomResourceDefinition stacks.compose.docker.com (deleting it deletes every stack)", stdout, StringComparison.Ordinal);
        await Double.WaitUntilCollectedAsync(Ct);

        foreach (var resource in new[] { "clusterroles.rbac.authorization.k8s.io", "clusterrolebindings.rbac.authorization.k8s.io", "validatingwebhookconfigurations.admissionregistration.k8s.io", "mutatingwebhookconfigurations.admissionregistration.k8s.io" })
        {
            Assert.Empty(Double.List(resource));
        }

        Assert.Empty(Double.List("deployments.apps", "berth-system"));
        Assert.Null(Double.Get("namespaces", null, "berth-system"));
        Assert.NotNull(Double.Get("deployments.apps", "shop", "web"));
        Assert.NotNull(Double.Get("customresourcedefinitions.apiextensions.k8s.io", null, "stacks.compose.docker.com"));

        var status = System("status");
        Assert.Equal(1, status.ExitCode);

        var all = System("uninstall", "--all");
        Assert.True(all.ExitCode == 0, all.Stderr);
        Assert.Contains("deleted CustomResourceDefinition stacks.compose.docker.com", all.Stdout, StringComparison.Ordinal);
        Assert.Contains("deleted Deployment shop/web", all.Stdout, StringComparison.Ordinal);
        Assert.Null(Double.Get("deployments.apps", "shop", "web"));
    }

    [Fact]
    public async Task DryRunYaml_IsAcceptedByKubectl_AndParsesBackToTheSameObjects()
    {
        var (code, yaml, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--dry-run", "-o", "yaml", "--mode", "aggregated");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("---\napiVersion: v1\nkind: Namespace\n", yaml, StringComparison.Ordinal);

        // Parses back to exactly the objects of the pure function, given the TLS material the run generated.
        var parsed = YamlJson.ReadManifests(yaml);
        var data = parsed.Single(o => (string?)o["kind"] == "Secret")["data"]!;
        string Decode(string key) => Encoding.UTF8.GetString(Convert.FromBase64String((string)data[key]!));
        var tls = new InstallTls(Decode("ca.crt"), Decode("tls.crt"), Decode("tls.key"));
        var expected = InstallManifests.Build(new InstallOptions { Image = "berth:0.1.0" }, tls, StackCrdSchemas.Load());
        Assert.Equal(expected.Length, parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            Assert.True(JsonNode.DeepEquals(expected[i], parsed[i]), $"object {i}: {parsed[i]["kind"]} {parsed[i]["metadata"]?["name"]}");
        }

        // Real kubectl (client-side dry run, mapping every kind through the double's discovery) reads every document.
        await using var https = await KubernetesApiDouble.StartAsync(https: true, Ct);
        var kubeconfig = https.WriteKubeconfig(Project.PathOf("https-kubeconfig"));
        var kubectl = ToolProcess.Run("/usr/bin/kubectl", ["create", "--dry-run=client", "-o", "yaml", "--validate=false", "-f", "-", "--kubeconfig", kubeconfig, "--cache-dir", Project.PathOf("kubectl-cache")], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: yaml);
        Assert.True(kubectl.ExitCode == 0, kubectl.ToString());
        var created = YamlJson.ReadManifests(kubectl.Stdout);
        Assert.Equal(parsed.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"), created.Select(o => $"{o["kind"]}/{o["metadata"]!["name"]}"));
        Assert.Equal(0, https.Writes);

        // CRD mode too (the CRD with Berth's schemas, the webhook configurations).
        var crdYaml = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--dry-run", "--mode", "crd").Stdout;
        var crdKubectl = ToolProcess.Run("/usr/bin/kubectl", ["create", "--dry-run=client", "-o", "yaml", "--validate=false", "-f", "-", "--kubeconfig", kubeconfig, "--cache-dir", Project.PathOf("kubectl-cache")], withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: crdYaml);
        Assert.True(crdKubectl.ExitCode == 0, crdKubectl.ToString());
        Assert.Equal(YamlJson.ReadManifests(crdYaml).Count, YamlJson.ReadManifests(crdKubectl.Stdout).Count);
        Assert.Contains(YamlJson.ReadManifests(crdKubectl.Stdout), o => (string?)o["kind"] == "CustomResourceDefinition");

        var json = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--dry-run", "-o", "json", "--mode", "crd");
        Assert.Equal("List", (string?)JsonNode.Parse(json.Stdout)!["kind"]);
    }

    [Fact]
    public void InstallWithAPolicy_WritesTheConfigMap_DryRunPrintsIt_AndABadPolicyInstallsNothing()
    {
        var policyFile = Project.Write("company-policy.yaml", "version: 1\nname: company\nprofile: baseline\n");
        var badFile = Project.Write("bad-policy.yaml", "version: 1\nrules:\n  allowPrivileged: maybe\n");

        var dryRun = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--dry-run", "-o", "yaml", "--policy", "restricted", "--policy-mode", "warn");
        var installed = System("install", "--policy", policyFile);
        var bad = System("install", "--policy", badFile, "-n", "berth-bad");
        var modeAlone = System("install", "--policy-mode", "warn");

        Assert.True(dryRun.ExitCode == 0, dryRun.Stderr);
        Assert.Contains("kind: ConfigMap\nmetadata:\n  name: berth-policy\n  namespace: berth-system\n", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("  policy.yaml: restricted\n  mode: warn\n", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Contains("resourceNames:\n  - berth-policy\n", dryRun.Stdout, StringComparison.Ordinal);
        Assert.True(installed.ExitCode == 0, installed.Stderr);
        Assert.Contains("created ConfigMap berth-system/berth-policy", installed.Stdout, StringComparison.Ordinal);
        var stored = Double.Get("configmaps", "berth-system", "berth-policy")!;
        Assert.Equal("version: 1\nname: company\nprofile: baseline\n", (string?)stored["data"]!["policy.yaml"]);
        Assert.Null(stored["data"]!["mode"]);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("bad-policy.yaml:3:", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("berth system install: the policy '", bad.Stderr, StringComparison.Ordinal);
        Assert.Null(Double.Get("namespaces", null, "berth-bad"));
        Assert.Equal(2, modeAlone.ExitCode);
        Assert.Contains("--policy-mode warn has no policy to apply", modeAlone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UsageErrors_NameTheFlag_WithAHint()
    {
        var etcd = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--mode", "crd", "--etcd-servers", "http://etcd:2379");
        Assert.Equal(2, etcd.ExitCode);
        Assert.Contains("berth system install: --etcd-servers only applies to --mode aggregated", etcd.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: drop --etcd-servers, or pass --mode aggregated", etcd.Stderr, StringComparison.Ordinal);

        var badUrl = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--etcd-servers", "etcd:2379", "--dry-run");
        Assert.Equal(2, badUrl.ExitCode);
        Assert.Contains("--etcd-servers: 'etcd:2379' is not an http:// or https:// URL", badUrl.Stderr, StringComparison.Ordinal);

        var replicas = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--replicas", "0", "--dry-run");
        Assert.Equal(2, replicas.ExitCode);
        Assert.Contains("--replicas must be 1 or more", replicas.Stderr, StringComparison.Ordinal);

        var output = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "-o", "yaml");
        Assert.Equal(2, output.ExitCode);
        Assert.Contains("--output only applies with --dry-run", output.Stderr, StringComparison.Ordinal);

        var mode = CliRunner.RunWith(new Dictionary<string, string>(), "system", "install", "--mode", "helm");
        Assert.Equal(2, mode.ExitCode);
        Assert.Contains("--mode", mode.Stderr, StringComparison.Ordinal);

        var help = CliRunner.RunWith(new Dictionary<string, string>(), "system", "uninstall", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--all", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--kubeconfig", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("--context", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void KubeconfigFromTheBerthConfigFile_IsUsedWhenNoFlagOrVariableSaysOtherwise()
    {
        var config = Project.PathOf("berth.json");
        File.WriteAllText(config, """{"kubernetes": {"kubeconfig": """ + global::System.Text.Json.JsonSerializer.Serialize(Kubeconfig) + "}}");
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string> { ["BERTH_CONFIG"] = config }, "system", "status");

        // It reached the double: not installed there (exit 1), not a connection failure (exit 3).
        Assert.Equal(1, code);
        Assert.Contains("Berth is not installed in namespace berth-system on http://127.0.0.1:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreachable_Cluster_IsExit3_WithAHint()
    {
        var kubeconfig = Project.PathOf("dead-kubeconfig");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: dead, cluster: {server: "http://127.0.0.1:9"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: dead, context: {cluster: dead, user: u}}]
            current-context: dead
            """);
        var (code, _, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "system", "status", "--kubeconfig", kubeconfig);
        Assert.Equal(3, code);
        Assert.Contains("berth system status: cannot reach the Kubernetes API server at http://127.0.0.1:9", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", stderr, StringComparison.Ordinal);
    }
}
