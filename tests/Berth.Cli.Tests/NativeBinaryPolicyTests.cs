using System.Text.Json;
using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// The Native AOT <c>berth</c> (artifacts/berth/berth, built by <c>scripts/berth.sh</c>) runs <c>berth policy check</c>:
/// the policy reader (YamlDotNet's representation model), the built-in profiles and the JSON report are reached only
/// through code trimming could break, which the in-process tests never see; and a denied <c>stack deploy</c> against
/// the in-process test double of the Kubernetes API (not a cluster) writes nothing.
/// </summary>
public sealed class NativeBinaryPolicyTests : IDisposable
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            privileged: true
        """;

    private readonly TempProject _project = new(("compose.yaml", Compose), ("policy.yaml", "version: 1\nname: company\nprofile: restricted\nrules:\n  images: {denyLatest: true}\n"));

    public void Dispose() => _project.Dispose();

    [Fact]
    public void PolicyCheck_WithTheNativeBinary_ProfilesFilesAndJson()
    {
        var (code, stdout, stderr) = Berth("policy", "check", "-c", "compose.yaml", "-p", "demo", "--policy", "baseline");
        Assert.True(code == 1, stdout + stderr);
        Assert.Equal(
            [
                "compose.yaml:4:5: error BP201: service 'web' sets 'privileged: true', which the policy denies (rule 'allowPrivileged' of baseline) [services.web.privileged]",
                "  hint: remove 'privileged: true'; add only the capabilities the service needs with cap_add",
                "Policy baseline (enforce): 1 error, 0 warnings (stack demo, 1 service)",
            ],
            stdout.TrimEnd('\n').Split('\n'));

        var (file, fileOut, fileErr) = Berth("policy", "check", "-c", "compose.yaml", "--policy", "policy.yaml", "--policy-mode", "warn", "-o", "json");
        Assert.True(file == 0, fileOut + fileErr);
        using var json = JsonDocument.Parse(fileOut);
        Assert.Equal(("passed", "company", "warn"), (json.RootElement.GetProperty("status").GetString(), json.RootElement.GetProperty("policy").GetString(), json.RootElement.GetProperty("mode").GetString()));
        Assert.Equal(
            ["BP201", "BP209", "BP212", "BP213"],
            json.RootElement.GetProperty("diagnostics").EnumerateArray().Select(d => d.GetProperty("code").GetString()).Order(StringComparer.Ordinal));

        var (bad, badOut, badErr) = Berth("policy", "check", "-c", "compose.yaml", "--policy", "compose.yaml");
        Assert.True(bad == 1, badOut + badErr);
        Assert.Contains("compose.yaml:1:1: error BP", badErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StackDeploy_DeniedByThePolicy_WritesNothing_WithTheNativeBinary()
    {
        await using var api = await KubernetesApiDouble.StartAsync(TestContext.Current.CancellationToken);
        var kubeconfig = api.WriteKubeconfig(_project.PathOf("kubeconfig"), "double", "native");

        var (code, stdout, stderr) = Berth(new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes" }, "stack", "deploy", "demo", "-c", "compose.yaml", "--detach", "--policy", "baseline", "--kubeconfig", kubeconfig);

        Assert.True(code == 1, stdout + stderr);
        Assert.StartsWith("compose.yaml:4:5: error BP201: ", stderr, StringComparison.Ordinal);
        Assert.EndsWith("berth stack deploy: stack demo violates policy baseline (1 error); nothing was changed\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.IsWrite);
        Assert.Equal(0, api.Writes);
    }

    private (int ExitCode, string Stdout, string Stderr) Berth(params string[] args) => Berth(new Dictionary<string, string>(), args);

    private (int ExitCode, string Stdout, string Stderr) Berth(Dictionary<string, string> extra, params string[] args)
    {
        var environment = new Dictionary<string, string>(extra) { ["HOME"] = _project.Directory, ["XDG_CONFIG_HOME"] = _project.PathOf(".config") };
        var result = ToolProcess.Run(NativeBinary.Path(), args, _project.Directory, environment, withoutAmbient: true);
        return (result.ExitCode, result.Stdout, result.Stderr);
    }
}
