using Berth.Compose.Loading;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Convert.Output;
using Berth.Kubernetes.Tests.Support;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Golden;

/// <summary>
/// The Kustomize and Helm layouts (pure: a plan in, (path, content) pairs out) by golden folder:
/// testdata/layout/&lt;case&gt;/kustomize.txt and helm.txt hold every file of the layout of the converter golden
/// case of the same name (testdata/golden/&lt;case&gt;, with its options.txt), each after a <c>==&gt; path &lt;==</c> line.
/// Whether the files render to the converted objects is checked with kubectl and Go in Berth.Cli.Tests.
/// BERTH_UPDATE_GOLDEN=1 rewrites the expectations locally (refused on CI: <see cref="GoldenFiles"/>); review the diff by hand.
/// </summary>
public sealed class LayoutGoldenTests
{
    private static string LayoutRoot => Path.Combine(TestPaths.RepoRoot, "tests", "Berth.Kubernetes.Tests", "testdata", "layout");

    public static TheoryData<string> Cases() => GoldenCase.Names(LayoutRoot);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Layouts_GoldenCase_MatchExpectedFiles(string name)
    {
        var dir = Path.Combine(TestPaths.GoldenRoot, name);
        var (project, options, plan) = GoldenCase.Convert(dir);
        Assert.False(plan.HasErrors);

        var kustomize = Print(KustomizeLayout.ToFiles(plan, options.Namespace));
        var helm = Print(HelmChartLayout.ToFiles(plan, Berth.Stacks.StackName.For(project.Name, options.StackName)));

        GoldenFiles.Verify(
            name,
            new GoldenFile(Path.Combine(LayoutRoot, name, "kustomize.txt"), kustomize),
            new GoldenFile(Path.Combine(LayoutRoot, name, "helm.txt"), helm));
    }

    [Fact]
    public void Layouts_AreDeterministic()
    {
        var dir = Path.Combine(TestPaths.GoldenRoot, "secrets-configs");
        var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], WorkingDirectory = dir }, TestContext.Current.CancellationToken);
        var options = new KubernetesConvertOptions { FileContents = ResourceContentReader.Read(load.Project!) };

        var first = KubernetesConverter.Convert(load.Project!, options);
        var second = KubernetesConverter.Convert(load.Project!, options);

        Assert.Equal(KustomizeLayout.ToFiles(first, "default"), KustomizeLayout.ToFiles(second, "default"));
        Assert.Equal(HelmChartLayout.ToFiles(first, "x"), HelmChartLayout.ToFiles(second, "x"));
    }

    [Theory]
    [InlineData("voting-app", "voting-app")]
    [InlineData("Shop_Prod", "shop-prod")]
    [InlineData("9lives", "s-9lives")]
    public void ChartName_IsALowerCaseDnsLabel(string stack, string expected)
        => Assert.Equal(expected, HelmChartLayout.ChartName(stack));

    private static string Print(IReadOnlyList<(string Path, string Content)> files)
        => string.Concat(files.Select(f => $"==> {f.Path} <==\n{f.Content}"));
}
