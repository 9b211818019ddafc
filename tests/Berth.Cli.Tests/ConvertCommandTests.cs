using System.Text.Json;
using Berth.Testing;

namespace Berth.Cli.Tests;

public sealed class ConvertCommandTests
{
    private const string Compose = "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n    ulimits: {nofile: 10}\n";

    [Fact]
    public void Convert_ValidFile_PrintsManifestsAndWarnings()
    {
        using var project = new TempProject(("compose.yaml", Compose));
        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "-p", "demo", "--namespace", "demo-ns");

        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith("---\napiVersion: v1\nkind: Namespace\n", stdout, StringComparison.Ordinal);
        Assert.Contains("kind: Deployment", stdout, StringComparison.Ordinal);
        Assert.Contains("namespace: demo-ns", stdout, StringComparison.Ordinal);
        Assert.Contains("BK002", stderr, StringComparison.Ordinal);
        Assert.Contains("compose.yaml:5:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_Json_IsAList()
    {
        using var project = new TempProject(("compose.yaml", Compose));
        var (code, stdout, _) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "-o", "json", "--service-type", "NodePort");

        Assert.Equal(ExitCodes.Success, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("List", doc.RootElement.GetProperty("kind").GetString());
        Assert.Contains(doc.RootElement.GetProperty("items").EnumerateArray(), i => i.TryGetProperty("spec", out var spec) && spec.TryGetProperty("type", out var t) && t.GetString() == "NodePort");
    }

    [Fact]
    public void Convert_Explain_PrintsTheFidelityTable()
    {
        using var project = new TempProject(("compose.yaml", Compose));
        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--explain");

        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith("SERVICE", stdout, StringComparison.Ordinal);
        Assert.Matches(@"web\s+ulimits\s+Unsupported", stdout);
        Assert.DoesNotContain("BK002", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_ExplainJson_HasOneEntryPerKey()
    {
        using var project = new TempProject(("compose.yaml", Compose));
        var (code, stdout, _) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--explain", "-o", "json");

        Assert.Equal(ExitCodes.Success, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Contains(doc.RootElement.EnumerateArray(), e => e.GetProperty("key").GetString() == "ulimits" && e.GetProperty("line").GetInt32() == 5);
    }

    [Fact]
    public void Convert_OutputDir_WritesOneFilePerObject()
    {
        using var project = new TempProject(("compose.yaml", Compose));
        var dir = project.PathOf("out");
        var (code, _, _) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--output-dir", dir);

        Assert.Equal(ExitCodes.Success, code);
        Assert.True(File.Exists(Path.Combine(dir, "web-deployment.yaml")));
        Assert.True(File.Exists(Path.Combine(dir, "web-published-service.yaml")));
    }

    [Fact]
    public void Convert_NameCollision_ExitsOneAndPrintsNothing()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  a_b:\n    image: x\n  a-b:\n    image: x\n"));
        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("BK101", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_BadServiceType_IsUsageError()
    {
        var (code, _, _) = CliRunner.Run("convert", "--service-type", "ClusterIP");
        Assert.Equal(ExitCodes.Usage, code);
    }
}
