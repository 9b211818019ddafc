using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Tests.Support;
using Berth.Testing;

namespace Berth.Kubernetes.Tests.Golden;

/// <summary>
/// Golden tests by folder (testdata/golden/&lt;case&gt;/): compose.yaml (plus files it names, and an optional
/// options.txt with <c>key=value</c> lines: namespace, stack, service-type, network-policies) converted and
/// compared with the hand-reviewed expected.yaml (manifests) and expected-explain.txt (fidelity report and
/// diagnostics). BERTH_UPDATE_GOLDEN=1 rewrites the expectations locally (refused on CI: <see cref="GoldenFiles"/>); review the diff by hand.
/// </summary>
public sealed class GoldenTests
{
    private const string Placeholder = "<case>";

    public static TheoryData<string> Cases() => GoldenCase.Names(TestPaths.GoldenRoot);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Convert_GoldenCase_MatchesExpectedManifestsAndReport(string name)
    {
        var dir = Path.Combine(TestPaths.GoldenRoot, name);
        var (_, _, plan) = GoldenCase.Convert(dir);

        var manifests = KubernetesManifestWriter.ToYaml(plan);
        var explain = Explain(plan).Replace(dir, Placeholder, StringComparison.Ordinal);
        manifests = manifests.Replace(dir, Placeholder, StringComparison.Ordinal);

        GoldenFiles.Verify(
            name,
            new GoldenFile(Path.Combine(dir, "expected.yaml"), manifests),
            new GoldenFile(Path.Combine(dir, "expected-explain.txt"), explain));
    }

    /// <summary>The fidelity report, then every diagnostic: both are reviewed with the manifests.</summary>
    private static string Explain(KubernetesPlan plan)
    {
        var lines = plan.Fidelity.Select(e => $"{(e.Service.Length == 0 ? "-" : e.Service)} | {e.Key} | {e.Outcome} | {e.Detail} | {Path.GetFileName(e.Location.File)}:{e.Location.Line}");
        var diagnostics = plan.Diagnostics.Select(d => $"{Path.GetFileName(d.Location.File)}:{d.Location.Line}: {d.Severity.ToString().ToLowerInvariant()} {d.Code}: {d.Message}");
        return string.Join('\n', lines) + "\n\n" + string.Join('\n', diagnostics) + "\n";
    }
}
