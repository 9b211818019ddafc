using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.Cli.Tests.Packaging;

/// <summary>
/// <c>convert --format helm</c>: the chart is rendered with Go's text/template (the engine Helm uses) by the small
/// harness in HelmRender/main.go — Helm itself is not available here — and must give plain <c>convert</c>'s objects
/// (less the Namespace object, which Helm's --create-namespace makes) with the default values, and follow
/// overridden values.
/// </summary>
public sealed class HelmFormatTests
{
    private static readonly Lazy<string> Harness = new(BuildHarness);

    public static TheoryData<string> Cases() => PackagingCorpus.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void TextTemplate_DefaultValues_RenderExactlyTheConvertedObjects(string name)
    {
        var (file, flags, ns) = PackagingCorpus.Case(name);
        using var project = new TempProject();
        var dir = project.PathOf("chart");

        var plain = CliRunner.Run(["convert", "-c", file, .. flags]);
        var packaged = CliRunner.Run(["convert", "-c", file, .. flags, "--format", "helm", "--output-dir", dir]);

        KustomizeFormatTests.AssertSameDiagnostics(plain, packaged, dir);
        if (plain.ExitCode != ExitCodes.Success)
        {
            Assert.False(Directory.Exists(dir), "nothing is written when the conversion has errors");
            return;
        }

        var expected = YamlJson.ReadObjects(plain.Stdout).Where(o => o["kind"]!.GetValue<string>() != "Namespace");
        Assert.Equal(YamlJson.CanonicalSet(expected), YamlJson.CanonicalSet(YamlJson.ReadObjects(Render(dir, ns))));
    }

    [Fact]
    public void OverriddenValues_TakeEffect()
    {
        var (file, flags, _) = PackagingCorpus.Case("examples/voting-app");
        using var project = new TempProject();
        var dir = project.PathOf("chart");
        var (code, _, stderr) = CliRunner.Run(["convert", "-c", file, .. flags, "--format", "helm", "--output-dir", dir]);
        Assert.True(code == ExitCodes.Success, stderr);
        var values = File.ReadAllText(Path.Combine(dir, "values.yaml"));
        Assert.Contains("  vote:\n    image:\n      repository: docker.io/dockersamples/examplevotingapp_vote\n      tag: latest\n    replicas: 2\n    publishedPorts:\n      5000-tcp: 5000\n", values, StringComparison.Ordinal);

        var objects = YamlJson.ReadObjects(Render(
            dir,
            "shop",
            "services.vote.replicas=5",
            "services.vote.image.tag=v2",
            "services.vote.image.digest=sha256:0123456789012345678901234567890123456789012345678901234567890123",
            "services.vote.publishedPorts.5000-tcp=8080",
            "services.worker.resources.limits.memory=1Gi",
            "services.redis.image.tag="));

        var vote = Object(objects, "Deployment", "vote");
        Assert.Equal(5, vote["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("docker.io/dockersamples/examplevotingapp_vote:v2@sha256:0123456789012345678901234567890123456789012345678901234567890123", vote["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(8080, Object(objects, "Service", "vote-published")["spec"]!["ports"]![0]!["port"]!.GetValue<long>());
        var worker = Object(objects, "Deployment", "worker")["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!;
        Assert.Equal("1Gi", worker["memory"]!.GetValue<string>());
        Assert.Equal("500m", worker["cpu"]!.GetValue<string>());
        Assert.Equal("redis", Object(objects, "StatefulSet", "redis")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.All(objects, o => Assert.Equal("shop", o["metadata"]!["namespace"]!.GetValue<string>()));
    }

    [Fact]
    public void TemplateBracesInTheProject_ReachTheObjectsUnchanged()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web-app:\n    image: registry.local:5000/team/web:1.2\n    command: [\"sh\", \"-c\", \"echo '{{ .Values.x }}' {{-\"]\n    environment:\n      TEMPLATE: \"{{ end }}}}\"\n    ports: [\"8080:80\"]\n    deploy:\n      resources:\n        limits: {cpus: \"1\", memory: 64M}\n        reservations: {memory: 32M}\n"));
        var dir = project.PathOf("chart");

        var plain = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "-p", "braces");
        var (code, _, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "-p", "braces", "--format", "helm", "--output-dir", dir);

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("index .Values.services \"web-app\" \"image\" \"repository\"", File.ReadAllText(Path.Combine(dir, "templates", "deployment-web-app.yaml")), StringComparison.Ordinal);
        Assert.Equal(YamlJson.CanonicalSet(YamlJson.ReadObjects(plain.Stdout)), YamlJson.CanonicalSet(YamlJson.ReadObjects(Render(dir, "default"))));
    }

    [Fact]
    public void ChartYaml_IsAVersion2ChartNamedAfterTheStack()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));
        var dir = project.PathOf("chart");

        var (code, _, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "-p", "demo", "--stack", "shop-prod", "--format", "helm", "--output-dir", dir);

        Assert.True(code == ExitCodes.Success, stderr);
        var chart = YamlJson.ReadDocument(File.ReadAllText(Path.Combine(dir, "Chart.yaml")))!;
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("shop-prod", chart["name"]!.GetValue<string>());
        Assert.Equal("0.1.0", chart["version"]!.GetValue<string>());
        Assert.NotNull(chart["appVersion"]);
    }

    [Fact]
    public void TemplateLeftFromAnEarlierConversion_IsWarnedAbout()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));
        var dir = project.PathOf("chart");
        Directory.CreateDirectory(Path.Combine(dir, "templates"));
        var stale = Path.Combine(dir, "templates", "deployment-old.yaml");
        File.WriteAllText(stale, "kind: Deployment\n");

        var (code, _, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--format", "helm", "--output-dir", dir);

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.EndsWith($"berth convert: warning: {stale} was not written by this conversion and Helm renders it; remove it if it is stale\n", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n'), l => l.Contains("was not written", StringComparison.Ordinal));
        Assert.True(File.Exists(stale), "berth never deletes files it did not write");
    }

    private static JsonObject Object(IEnumerable<JsonObject> objects, string kind, string name)
        => objects.Single(o => o["kind"]!.GetValue<string>() == kind && o["metadata"]!["name"]!.GetValue<string>() == name);

    /// <summary>Renders the chart like <c>helm template --namespace NS</c> (values.yaml handed over as JSON: Go's standard library has no YAML reader).</summary>
    private static string Render(string chart, string ns, params string[] sets)
    {
        var values = Path.Combine(chart, "..", "values.json");
        File.WriteAllText(values, YamlJson.ReadDocument(File.ReadAllText(Path.Combine(chart, "values.yaml")))?.ToJsonString() ?? "{}");
        var (code, stdout, stderr) = PackagingCorpus.Run(Harness.Value, ["-chart", chart, "-values", values, "-namespace", ns, .. sets.SelectMany(s => new[] { "-set", s })]);
        Assert.True(code == 0, $"rendering {chart} failed: {stderr}");
        return stdout;
    }

    /// <summary>Builds HelmRender/main.go once per run (stdlib only, no module download).</summary>
    private static string BuildHarness()
    {
        var output = Path.Combine(Path.GetTempPath(), $"berth-helmrender-{Environment.ProcessId}");
        var source = Path.Combine(PackagingCorpus.RepositoryRoot, "tests", "Berth.Cli.Tests", "HelmRender", "main.go");
        var environment = new Dictionary<string, string>
        {
            ["GOCACHE"] = Path.Combine(Path.GetTempPath(), "berth-go-cache"),
            ["GOPATH"] = Path.Combine(Path.GetTempPath(), "berth-go-path"),
            ["GOPROXY"] = "off",
            ["CGO_ENABLED"] = "0",
        };
        var go = new[] { "/usr/bin/go", "/usr/lib/go/bin/go", "/usr/local/go/bin/go" }.FirstOrDefault(File.Exists);
        Assert.True(go is not null, "Go is needed to render the Helm chart with text/template: scripts/setup-go.sh installs it (scripts/test.sh runs it)");
        var (code, _, stderr) = PackagingCorpus.Run(go!, ["build", "-o", output, source], environment);
        Assert.True(code == 0, $"go build {source} failed: {stderr}");
        return output;
    }
}
