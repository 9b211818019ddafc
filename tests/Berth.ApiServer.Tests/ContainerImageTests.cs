using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// The server image built by scripts/build-image.sh (docker import from local files: no base image can be pulled
/// here) on the real Docker engine: berth-apiserver runs from it as the non-root user on a read-only root
/// filesystem, stores in a real etcd and answers the real kubectl. The container shares the host's network, so
/// everything stays on loopback.
/// </summary>
public sealed class ContainerImageTests
{
    private const string Tag = "berth-test/berth:image-test";

    [Fact]
    public async Task ServerImage_RunsBerthApiserver_AsNonRoot_OnAReadOnlyRoot_ServingKubectl()
    {
        var ct = TestContext.Current.CancellationToken;
        var build = ToolProcess.Run("bash", [Path.Combine(RepositoryRoot.Path, "scripts", "build-image.sh"), Tag], environment: new Dictionary<string, string> { ["BERTH_IMAGE_NO_BUILD"] = "1" }, timeout: TimeSpan.FromMinutes(5));
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(Tag, build.Stdout.Trim());

        var user = Docker("image", "inspect", "--format", "{{.Config.User}}", Tag);
        Assert.Equal("65532:65532", user.Stdout.Trim());

        await using var etcd = await EtcdServer.StartNewAsync(ct);
        using var folder = new TempProject(("tokens.csv", "admin-token,admin,admin-uid,\"system:masters\"\n"));
        var certs = Directory.CreateDirectory(folder.PathOf("certs")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            // The container's user 65532 writes the generated CA there.
            File.SetUnixFileMode(certs, (UnixFileMode)0x1FF);
        }

        var port = FreePort.Loopback();
        var name = "berth-image-test-" + Guid.NewGuid().ToString("N")[..8];
        var run = Docker(
            "run", "-d", "--name", name, "--network", "host", "--read-only", "--tmpfs", "/tmp",
            "-v", $"{certs}:/certs", "-v", $"{folder.PathOf("tokens.csv")}:/etc/berth/tokens.csv:ro",
            Tag,
            "--etcd-servers", etcd.Endpoint, "--secure-port", port.ToString(CultureInfo.InvariantCulture), "--bind-address", "127.0.0.1",
            "--cert-dir", "/certs", "--token-auth-file", "/etc/berth/tokens.csv");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            var kubeconfig = folder.Write("kubeconfig", $$"""
                apiVersion: v1
                kind: Config
                clusters:
                - name: berth
                  cluster: {server: "https://127.0.0.1:{{port}}", certificate-authority: {{Path.Combine(certs, "ca.crt")}}}
                users:
                - name: admin
                  user: {token: admin-token}
                contexts:
                - name: berth
                  context: {cluster: berth, user: admin, namespace: default}
                current-context: berth

                """);
            string[] Kube(params string[] args) => [.. args, "--kubeconfig", kubeconfig, "--cache-dir", folder.PathOf("cache")];
            ToolResult? ready = null;
            await Poll.UntilAsync(
                () => (ready = ToolProcess.Run("/usr/bin/kubectl", Kube("get", "--raw", "/readyz"), withoutAmbient: true, timeout: TimeSpan.FromSeconds(20))).ExitCode == 0,
                "berth-apiserver in the container to answer /readyz", ct, TimeSpan.FromSeconds(60));

            var apply = ToolProcess.Run("/usr/bin/kubectl", Kube("apply", "-f", "-"), withoutAmbient: true, timeout: TimeSpan.FromSeconds(60), input: StackManifests.Yaml("from-image"));
            Assert.True(apply.ExitCode == 0, apply + "\ncontainer log:\n" + Docker("logs", name));
            var get = ToolProcess.Run("/usr/bin/kubectl", Kube("get", "stacks.compose.docker.com", "from-image", "-o", "json"), withoutAmbient: true, timeout: TimeSpan.FromSeconds(60));
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Equal("front", JsonNode.Parse(get.Stdout)!["spec"]!["services"]![0]!["name"]!.GetValue<string>());

            // The process inside is the image's user, not root.
            var pid = Docker("inspect", "--format", "{{.State.Pid}}", name).Stdout.Trim();
            var status = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.Equal(["65532", "65532", "65532", "65532"], status.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1..]);
        }
        finally
        {
            Docker("rm", "-f", name);
        }
    }

    [Fact]
    public void ServerImage_Dockerfile_BuildsBothExecutables_AsTheNonRootUser()
    {
        // The Dockerfile cannot be built here (no base image can be pulled); what it promises is checked instead.
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "deploy", "Dockerfile"));
        Assert.Contains("dotnet publish src/Berth.ApiServer", dockerfile, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/Berth.Controller", dockerfile, StringComparison.Ordinal);
        Assert.Contains("USER 65532:65532", dockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"/app/berth-apiserver\"]", dockerfile, StringComparison.Ordinal);
    }

    private static ToolResult Docker(params string[] args) => ToolProcess.Run("docker", args, timeout: TimeSpan.FromMinutes(2));
}
