using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack deploy|diff --resolve-image</c> on Kubernetes (issue 14, image trust): digests come from a real
/// registry on 127.0.0.1 (<see cref="AnonymousRegistryFixture"/>), and the cluster is the documented in-process test
/// double of the Kubernetes API (<c>tests/Berth.Kubernetes.ApiDouble</c>, not a cluster), whose request counts show
/// what was written. Registry requests are counted in the registry's own request log.
/// </summary>
public sealed class KubernetesImagePinningCliTests(AnonymousRegistryFixture fixture) : KubernetesStackCliTest(), IClassFixture<AnonymousRegistryFixture>
{
    private string Host => fixture.Registry.Host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Always_PinsTheDigestTheRegistryServes_AndAnUnchangedRedeployWritesNothing()
    {
        var image = $"{Host}/pin/always:1";
        var pushed = fixture.Images.Push(RegistryImages.Busybox, image);

        var (code, _, stderr) = Deploy(image, "--resolve-image", "always");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Equal($"{image}@{pushed}", DeployedImage());
        var writes = Double.Writes;
        var (again, stdout, againErr) = Deploy(image, "--resolve-image", "always");
        Assert.True(again == ExitCodes.Success, againErr);
        Assert.Contains("is up to date", stdout, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);
    }

    [Fact]
    public void TagMoved_DiffShowsTheMovedDigest_ThenAlwaysUpdatesTheDeployment()
    {
        var image = $"{Host}/pin/moved:1";
        var first = fixture.Images.Push(RegistryImages.Busybox, image);
        Assert.Equal(ExitCodes.Success, Deploy(image, "--resolve-image", "always").ExitCode);
        var moved = fixture.Images.Push(fixture.Images.CreateUnique($"berth-test/pin-moved:{Guid.NewGuid():N}"), image);
        Assert.NotEqual(first, moved);
        var writes = Double.Writes;

        var (code, text, stderr) = Run("diff", "demo", "-c", Compose(image), "--resolve-image", "always");
        var (jsonCode, json, jsonErr) = Run("diff", "demo", "-c", Compose(image), "--resolve-image", "always", "--format", "json");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("~ update Deployment web\n", text, StringComparison.Ordinal);
        Assert.Contains($"    image {image}@{first[..19]}… → @{moved[..19]}… (tag 1 moved)\n", text, StringComparison.Ordinal);
        Assert.True(jsonCode == ExitCodes.Success, jsonErr);
        var row = Assert.Single(JsonNode.Parse(json)!.AsArray(), r => (string?)r!["kind"] == "Deployment")!;
        var change = Assert.Single(row["changes"]!.AsArray())!;
        Assert.Equal("spec.template.spec.containers[web].image", (string?)change["field"]);
        Assert.Equal($"{image}@{first}", (string?)change["from"]);
        Assert.Equal($"{image}@{moved}", (string?)change["to"]);
        Assert.Equal(writes, Double.Writes);

        var (deployed, stdout, deployErr) = Deploy(image, "--resolve-image", "always");
        Assert.True(deployed == ExitCodes.Success, deployErr);
        Assert.Contains("1 updated", stdout, StringComparison.Ordinal);
        Assert.Equal($"{image}@{moved}", DeployedImage());
    }

    [Fact]
    public async Task Changed_SameTag_KeepsTheDeployedDigest_WritesNothing_AndAsksNoRegistry()
    {
        var image = $"{Host}/pin/changed:1";
        var first = fixture.Images.Push(RegistryImages.Busybox, image);
        Assert.Equal(ExitCodes.Success, Deploy(image, "--resolve-image", "changed").ExitCode);
        Assert.Equal($"{image}@{first}", DeployedImage());
        fixture.Images.Push(fixture.Images.CreateUnique($"berth-test/pin-changed:{Guid.NewGuid():N}"), image);
        var (writes, lookups) = (Double.Writes, await ManifestRequestsAsync("pin/changed"));

        var (code, stdout, stderr) = Deploy(image, "--resolve-image", "changed");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("is up to date", stdout, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);
        Assert.Equal($"{image}@{first}", DeployedImage());
        Assert.Equal(lookups, await ManifestRequestsAsync("pin/changed"));

        // A new tag is a changed reference: resolved and written.
        var second = fixture.Images.Push(RegistryImages.Busybox, $"{Host}/pin/changed:2");
        var (next, _, nextErr) = Deploy($"{Host}/pin/changed:2", "--resolve-image", "changed");
        Assert.True(next == ExitCodes.Success, nextErr);
        Assert.Equal($"{Host}/pin/changed:2@{second}", DeployedImage());
        Assert.True(await ManifestRequestsAsync("pin/changed") > lookups, "the new tag's lookup is in the registry's log");
    }

    [Fact]
    public async Task NeverAndTheKubernetesDefault_KeepTheTagAsWritten_WithoutARegistryRequest()
    {
        var image = $"{Host}/pin/never:1";
        fixture.Images.Push(RegistryImages.Busybox, image);
        var lookups = await ManifestRequestsAsync("pin/never");
        Assert.True(lookups > 0, "the push's manifest requests are in the registry's log");

        var (code, _, stderr) = Deploy(image, "--resolve-image", "never");
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Equal(image, DeployedImage());
        var (byDefault, stdout, defaultErr) = Deploy(image);
        Assert.True(byDefault == ExitCodes.Success, defaultErr);
        Assert.Contains("is up to date", stdout, StringComparison.Ordinal);

        Assert.Equal(image, DeployedImage());
        Assert.Equal(lookups, await ManifestRequestsAsync("pin/never"));
    }

    [Fact]
    public void ConfigFile_KubernetesResolveImage_AppliesWhenTheFlagIsNotGiven()
    {
        var image = $"{Host}/pin/config:1";
        var pushed = fixture.Images.Push(RegistryImages.Busybox, image);
        var config = Project.Write("berth.json", """{"kubernetes": {"resolveImage": "always"}}""");

        var (code, _, stderr) = Run(["deploy", "demo", "-c", Compose(image), "--detach"], ("BERTH_CONFIG", config));
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Equal($"{image}@{pushed}", DeployedImage());

        // The flag wins over the file.
        Assert.Equal(ExitCodes.Success, Run(["deploy", "demo", "-c", Compose(image), "--detach", "--resolve-image", "never"], ("BERTH_CONFIG", config)).ExitCode);
        Assert.Equal(image, DeployedImage());
    }

    [Fact]
    public async Task RegistryStopped_OrTagUnknown_FailsNamingImageAndRegistry_AndWritesNothing()
    {
        await using var down = await RegistryServer.StartAnonymousAsync(Ct);
        var stopped = $"{down.Host}/pin/down:1";
        await down.StopAsync();
        var unknown = $"{Host}/pin/unknown:9";

        var (always, stdout, stderr) = Deploy(stopped, "--resolve-image", "always");
        var (changed, _, changedErr) = Deploy(stopped, "--resolve-image", "changed");
        var (missing, _, missingErr) = Deploy(unknown, "--resolve-image", "always");
        var (diff, _, diffErr) = Run("diff", "demo", "-c", Compose(stopped), "--resolve-image", "always");

        Assert.Equal(ExitCodes.InvalidInput, always);
        Assert.DoesNotContain("Deploying stack", stdout, StringComparison.Ordinal);
        Assert.Contains("--resolve-image always: 1 image could not be pinned to a registry digest; nothing was changed", stderr, StringComparison.Ordinal);
        Assert.Contains($"  {stopped}: cannot reach registry {down.Host}", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, changed);
        Assert.Contains($"  {stopped}: cannot reach registry {down.Host}", changedErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, missing);
        Assert.Contains($"  {unknown}: registry {Host} has no manifest for", missingErr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, diff);
        Assert.Contains($"cannot reach registry {down.Host}", diffErr, StringComparison.Ordinal);
        Assert.Equal(0, Double.Writes);
        Assert.Null(Double.Get("deployments.apps", "shop", "web"));
    }

    private string Compose(string image)
        => Project.Write($"compose-{Guid.NewGuid():N}.yaml", $"services:\n  web:\n    image: {image}\n    command: [\"sleep\", \"3600\"]\n");

    private (int ExitCode, string Stdout, string Stderr) Deploy(string image, params string[] extra)
        => Run(["deploy", "demo", "-c", Compose(image), "--detach", .. extra]);

    private (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => Run(args, []);

    /// <summary>berth stack … under Kubernetes with an empty Docker config (anonymous registry access, whatever the machine's).</summary>
    private (int ExitCode, string Stdout, string Stderr) Run(string[] args, params (string Name, string Value)[] environment)
    {
        var dockerConfig = Directory.CreateDirectory(Project.PathOf("docker-config")).FullName;
        var variables = new Dictionary<string, string> { ["BERTH_ORCHESTRATOR"] = "kubernetes", ["DOCKER_CONFIG"] = dockerConfig };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        return CliRunner.RunWith(variables, ["stack", .. args, "--kubeconfig", Kubeconfig]);
    }

    private string? DeployedImage()
        => (string?)Double.Get("deployments.apps", "shop", "web")?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    /// <summary>
    /// The manifest requests the registry logged for <paramref name="repository"/> so far: a marker request is made and
    /// awaited in the log first, so every earlier request's line has been read.
    /// </summary>
    private async Task<int> ManifestRequestsAsync(string repository)
    {
        var marker = $"/v2/marker-{Guid.NewGuid():N}/manifests/1";
        using (var http = new HttpClient())
        {
            using var answer = await http.GetAsync(new Uri($"http://{Host}{marker}"), Ct);
        }

        await Poll.UntilAsync(() => fixture.Registry.Log.Contains(marker, StringComparison.Ordinal), "the registry's log line of the marker request", Ct);
        var log = fixture.Registry.Log;
        var path = $"/v2/{repository}/manifests/";
        var count = 0;
        for (var at = log.IndexOf(path, StringComparison.Ordinal); at >= 0; at = log.IndexOf(path, at + path.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
