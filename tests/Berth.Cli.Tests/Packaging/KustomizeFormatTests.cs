using System.Text.RegularExpressions;
using Berth.Testing;

namespace Berth.Cli.Tests.Packaging;

/// <summary>
/// <c>convert --format kustomize</c>: real kubectl's built-in Kustomize renders the overlay to exactly the objects
/// plain <c>convert</c> prints (compared as sets of structures: Kustomize sorts objects and keys), with the same
/// warnings, over the example and every converter golden case.
/// </summary>
public sealed class KustomizeFormatTests
{
    private const string Kubectl = "/usr/bin/kubectl";

    public static TheoryData<string> Cases() => PackagingCorpus.Cases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void KubectlKustomize_RendersExactlyTheConvertedObjects(string name)
    {
        var (file, flags, ns) = PackagingCorpus.Case(name);
        using var project = new TempProject();
        var dir = project.PathOf("out");

        var plain = CliRunner.Run(["convert", "-c", file, .. flags]);
        var packaged = CliRunner.Run(["convert", "-c", file, .. flags, "--format", "kustomize", "--output-dir", dir]);

        AssertSameDiagnostics(plain, packaged, dir);
        if (plain.ExitCode != ExitCodes.Success)
        {
            Assert.False(Directory.Exists(dir), "nothing is written when the conversion has errors");
            return;
        }

        Assert.True(File.Exists(Path.Combine(dir, "base", "kustomization.yaml")));
        var rendered = Kustomize(Path.Combine(dir, "overlays", ns));
        Assert.Equal(YamlJson.CanonicalSet(YamlJson.ReadObjects(plain.Stdout)), YamlJson.CanonicalSet(YamlJson.ReadObjects(rendered)));
    }

    [Fact]
    public void OverlayImages_OneTagEdit_RetagsTheService_AndTheNamespaceMovesEveryObject()
    {
        var (file, flags, ns) = PackagingCorpus.Case("examples/voting-app");
        using var project = new TempProject();
        var dir = project.PathOf("out");
        var (code, _, stderr) = CliRunner.Run(["convert", "-c", file, .. flags, "--format", "kustomize", "--output-dir", dir]);
        Assert.True(code == ExitCodes.Success, stderr);
        var overlay = Path.Combine(dir, "overlays", ns, "kustomization.yaml");
        var text = File.ReadAllText(overlay);
        Assert.Contains("- name: redis\n  newTag: 7-alpine\n", text, StringComparison.Ordinal);

        File.WriteAllText(overlay, text.Replace("newTag: 7-alpine", "newTag: 7.4-alpine", StringComparison.Ordinal).Replace("namespace: vote", "namespace: vote-staging", StringComparison.Ordinal));
        var objects = YamlJson.ReadObjects(Kustomize(Path.Combine(dir, "overlays", ns)));

        var redis = objects.Single(o => o["kind"]!.GetValue<string>() == "StatefulSet" && o["metadata"]!["name"]!.GetValue<string>() == "redis");
        Assert.Equal("redis:7.4-alpine", redis["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.All(objects.Where(o => o["kind"]!.GetValue<string>() != "Namespace"), o => Assert.Equal("vote-staging", o["metadata"]!["namespace"]!.GetValue<string>()));
    }

    [Fact]
    public void SameImageWithTwoTags_GetsNoOverlayEntry_AndStillRendersBoth()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  old:\n    image: redis:6\n  new:\n    image: redis:7\n  plain:\n    image: nginx\n"));
        var dir = project.PathOf("out");

        var plain = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"));
        var (code, _, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--format", "kustomize", "--output-dir", dir);

        Assert.True(code == ExitCodes.Success, stderr);
        var overlay = File.ReadAllText(Path.Combine(dir, "overlays", "default", "kustomization.yaml"));
        Assert.Contains("# redis is used with several tags (6, 7); set them in base/.", overlay, StringComparison.Ordinal);
        Assert.DoesNotContain("- name: redis", overlay, StringComparison.Ordinal);
        Assert.Contains("- name: nginx\n", overlay, StringComparison.Ordinal);
        Assert.Equal(YamlJson.CanonicalSet(YamlJson.ReadObjects(plain.Stdout)), YamlJson.CanonicalSet(YamlJson.ReadObjects(Kustomize(Path.Combine(dir, "overlays", "default")))));
    }

    [Fact]
    public void Explain_PrintsTheSameReportAsPlainConvert()
    {
        var (file, flags, _) = PackagingCorpus.Case("examples/voting-app");
        using var project = new TempProject();

        var plain = CliRunner.Run(["convert", "-c", file, .. flags, "--explain"]);
        var packaged = CliRunner.Run(["convert", "-c", file, .. flags, "--explain", "--format", "kustomize", "--output-dir", project.PathOf("out")]);

        Assert.Equal(ExitCodes.Success, packaged.ExitCode);
        Assert.Equal(plain.Stdout, packaged.Stdout);
        Assert.True(File.Exists(project.PathOf("out/base/kustomization.yaml")));
    }

    [Theory]
    [InlineData("kustomize")]
    [InlineData("helm")]
    public void LayoutWithoutOutputDir_IsAUsageError(string format)
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));

        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--format", format);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"berth convert: --format {format} writes several files and needs --output-dir DIR\n", stderr);
    }

    [Fact]
    public void LayoutWithJsonOutput_IsAUsageError_NothingWritten()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));

        var (code, _, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--format", "helm", "-o", "json", "--output-dir", project.PathOf("out"));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("berth convert: --format helm writes YAML; -o json applies only to the --explain report\n", stderr);
        Assert.False(Directory.Exists(project.PathOf("out")));
    }

    /// <summary>The warnings and errors are plain convert's, plus only the line saying where the files went.</summary>
    internal static void AssertSameDiagnostics((int ExitCode, string Stdout, string Stderr) plain, (int ExitCode, string Stdout, string Stderr) packaged, string dir)
    {
        Assert.Equal(plain.ExitCode, packaged.ExitCode);
        Assert.Equal(string.Empty, packaged.Stdout);
        if (plain.ExitCode != ExitCodes.Success)
        {
            Assert.Equal(plain.Stderr, packaged.Stderr);
            return;
        }

        Assert.StartsWith(plain.Stderr, packaged.Stderr, StringComparison.Ordinal);
        Assert.Matches(new Regex($"^berth convert: wrote [0-9]+ files? to {Regex.Escape(dir)}\n$"), packaged.Stderr[plain.Stderr.Length..]);
    }

    private static string Kustomize(string overlay)
    {
        Assert.True(File.Exists(Kubectl), $"{Kubectl} is needed: its built-in Kustomize is the reference renderer");
        var (code, stdout, stderr) = PackagingCorpus.Run(Kubectl, ["kustomize", overlay]);
        Assert.True(code == 0, $"kubectl kustomize {overlay} failed: {stderr}");
        return stdout;
    }
}
