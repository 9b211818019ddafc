using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary><c>convert --output-dir</c>: a path that cannot be a writable folder is a clear error (exit 1) and nothing is written; with <c>--explain</c> both happen.</summary>
public sealed class OutputDirectoryTests
{
    private const string Compose = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n";

    [Fact]
    public void OutputDirIsAFile_IsInvalidInput_NamingThePath()
    {
        using var project = new TempProject(("compose.yaml", Compose), ("taken", "keep me"));

        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--output-dir", project.PathOf("taken"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"berth convert: --output-dir '{project.PathOf("taken")}' is a file, not a folder; nothing written", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(project.PathOf("taken")));
    }

    [Fact]
    public void OutputDirUnderAFile_IsInvalidInput_NamingTheFile()
    {
        using var project = new TempProject(("compose.yaml", Compose), ("taken", "keep me"));
        var dir = Path.Combine(project.PathOf("taken"), "sub", "out");

        var (code, _, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--output-dir", dir);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains($"cannot write to --output-dir '{dir}': '{project.PathOf("taken")}' is a file; nothing written", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ExplainWithOutputDir_WritesTheManifests_AndPrintsTheReport()
    {
        using var project = new TempProject(("compose.yaml", Compose));
        var dir = project.PathOf("out");

        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "-p", "demo", "--explain", "--output-dir", dir);

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("OUTCOME", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("apiVersion", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "web-deployment.yaml")), string.Join(", ", Directory.Exists(dir) ? Directory.GetFiles(dir) : []));
        Assert.Contains("kind: Deployment", File.ReadAllText(Path.Combine(dir, "web-deployment.yaml")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir, ".berth-write-test-*"));
    }
}
