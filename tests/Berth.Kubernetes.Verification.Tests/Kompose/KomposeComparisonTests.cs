using System.Globalization;
using System.Text;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Verification.Tests.Support;
using Berth.Testing;

namespace Berth.Kubernetes.Verification.Tests.Kompose;

/// <summary>One aspect of one Compose service where Berth and kompose produce a different meaning.</summary>
internal sealed record Disagreement(string Case, string Service, string Aspect, IReadOnlyList<string> Kompose, IReadOnlyList<string> Berth);

/// <summary>
/// Berth against kompose on kompose's own fixtures (testdata/corpus/kompose): both outputs are reduced to facts per
/// Compose service and aspect (<see cref="ManifestFacts"/>) and compared. Every disagreement must be listed in
/// <see cref="KomposeDisagreements"/> with a justification, and every listed one must still occur.
/// Set BERTH_WRITE_KOMPOSE_REPORT=1 to regenerate docs/design/kompose-comparison.md from the current converter.
/// </summary>
public sealed class KomposeComparisonTests
{
    private static readonly Lazy<IReadOnlyList<(KomposeCase Case, List<string> Aspects, List<Disagreement> Disagreements)>> _results = new(Compare);

    public static TheoryData<string> Cases() => [.. KomposeCase.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compare_WithKompose_EveryDisagreementIsJustified(string name)
    {
        var (_, aspects, disagreements) = _results.Value.Single(r => r.Case.Name == name);
        Assert.True(aspects.Count > 0, $"{name}: nothing compared (no service found on either side?)");

        var unjustified = disagreements.Where(d => KomposeDisagreements.Find(d) is null).ToList();

        Assert.True(unjustified.Count == 0, $"{name}: {unjustified.Count} unjustified disagreement(s) with kompose:\n" + string.Join('\n', unjustified.Select(Describe)));
    }

    [Fact]
    public void Disagreements_EveryListedOneStillOccurs()
    {
        var all = _results.Value.SelectMany(r => r.Disagreements).ToList();
        var stale = KomposeDisagreements.All.Where(entry => !all.Any(entry.Matches)).ToList();

        Assert.True(stale.Count == 0, "listed disagreements that no longer occur (remove them):\n" + string.Join('\n', stale));
    }

    [Fact]
    public void Disagreements_GenericEntriesNameTheExactDifference()
    {
        // A "*" entry without a shape would justify any future difference on its aspect: the table must not become a wildcard.
        var loose = KomposeDisagreements.All.Where(e => e.IsGeneric && e.Shape is null).ToList();

        Assert.True(loose.Count == 0, "generic entries without a DifferenceShape:\n" + string.Join('\n', loose));
    }

    [Fact]
    public void Disagreements_ShapesRejectOtherDifferences()
    {
        // The generic service.type entries accept exactly their pair, not a neighbour (e.g. a lost ClusterIP).
        Assert.NotNull(KomposeDisagreements.Find(new Disagreement("x", "s", "service.type", ["ClusterIP"], ["ClusterIP", "LoadBalancer"])));
        Assert.Null(KomposeDisagreements.Find(new Disagreement("x", "s", "service.type", ["ClusterIP"], ["LoadBalancer"])));
        Assert.NotNull(KomposeDisagreements.Find(new Disagreement("x", "s", "service.ports", ["8081->8080/TCP"], ["8080->8080/TCP", "8081->8080/TCP"])));
        Assert.Null(KomposeDisagreements.Find(new Disagreement("x", "s", "service.ports", ["8081->8080/TCP"], ["8080->8080/TCP"])));
        Assert.Null(KomposeDisagreements.Find(new Disagreement("x", "s", "service.ports", ["8081->8080/TCP"], ["8081->8080/TCP", "9999->9999/TCP"])));
        Assert.NotNull(KomposeDisagreements.Find(new Disagreement("x", "s", "volumes", ["/d: claim size=104857600 modes=ReadWriteOnce"], ["/d: claim size=1073741824 modes=ReadWriteOnce"])));
        Assert.Null(KomposeDisagreements.Find(new Disagreement("x", "s", "volumes", ["/d: claim size=104857600 modes=ReadWriteOnce"], ["/d: claim size=1073741824 modes=ReadWriteMany"])));
        Assert.Null(KomposeDisagreements.Find(new Disagreement("x", "s", "volumes", ["/d: claim size=104857600 modes=ReadWriteOnce"], ["/e: hostPath /e"])));
    }

    [Fact]
    public void Compare_AgreesOnMostAspects()
    {
        var compared = _results.Value.Sum(r => r.Aspects.Count);
        var disagreed = _results.Value.Sum(r => r.Disagreements.Count);

        // A floor, not a target: if most aspects disagree the comparison has stopped measuring meaning.
        Assert.True(disagreed * 2 < compared, $"{disagreed} of {compared} aspects disagree");
        WriteReportIfAsked();
    }

    private static IReadOnlyList<(KomposeCase, List<string>, List<Disagreement>)> Compare()
    {
        var root = Path.Combine(TestPaths.Corpus, "kompose");
        var results = new List<(KomposeCase, List<string>, List<Disagreement>)>();
        foreach (var fixture in KomposeCase.All)
        {
            var kompose = ManifestFacts.Extract(YamlJson.ReadManifests(File.ReadAllText(Path.Combine(root, fixture.KomposeOutput))));
            var loaded = Conversion.Load(Path.Combine(root, fixture.ComposeFile), fixture.Interpolate);
            if (!loaded.Succeeded)
            {
                // kompose converted an input Berth's loader rejects: a disagreement of its own, to be justified.
                var errors = loaded.Diagnostics.Where(d => d.Severity == Berth.Compose.Diagnostics.Severity.Error).Select(d => d.Code + " " + d.Message);
                results.Add((fixture, ["(load)"], [new Disagreement(fixture.Name, "*", "(load)", ["converted"], [.. errors])]));
                continue;
            }

            // Secrets and configs with file: need the files' bytes, read up front as every caller of the pure converter does.
            var (_, objects) = Conversion.Convert(loaded, new KubernetesConvertOptions { FileContents = ResourceContentReader.Read(loaded.Project!) });
            var berth = ManifestFacts.Extract(objects);
            var disagreements = new List<Disagreement>();
            var compared = new List<string>();
            foreach (var service in kompose.Keys.Union(berth.Keys).Order(StringComparer.Ordinal))
            {
                if (!kompose.TryGetValue(service, out var k) || !berth.TryGetValue(service, out var b))
                {
                    compared.Add("(service)");
                    disagreements.Add(new Disagreement(fixture.Name, service, "(service)", kompose.ContainsKey(service) ? ["present"] : [], berth.ContainsKey(service) ? ["present"] : []));
                    continue;
                }

                foreach (var aspect in k.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
                {
                    compared.Add(aspect);
                    var kv = k.GetValueOrDefault(aspect) ?? [];
                    var bv = b.GetValueOrDefault(aspect) ?? [];
                    if (!kv.SetEquals(bv))
                    {
                        disagreements.Add(new Disagreement(fixture.Name, service, aspect, [.. kv], [.. bv]));
                    }
                }
            }

            results.Add((fixture, compared, disagreements));
        }

        return results;
    }

    private static string Describe(Disagreement d)
        => $"  [{d.Case}] {d.Service} {d.Aspect}\n      kompose: {string.Join(" | ", d.Kompose)}\n      berth:   {string.Join(" | ", d.Berth)}";

    private static void WriteReportIfAsked()
    {
        if (Environment.GetEnvironmentVariable("BERTH_WRITE_KOMPOSE_REPORT") != "1")
        {
            return;
        }

        var results = _results.Value;
        var all = results.SelectMany(r => r.Disagreements).ToList();
        var total = results.Sum(r => r.Aspects.Count);
        var justified = all.Count(d => KomposeDisagreements.Find(d) is not null);
        var sb = new StringBuilder();
        sb.Append("# Berth vs kompose on kompose's fixtures\n\n");
        sb.Append("Generated by `BERTH_WRITE_KOMPOSE_REPORT=1 dotnet test --project tests/Berth.Kubernetes.Verification.Tests -- --filter-class '*KomposeComparisonTests'`\n");
        sb.Append("from `KomposeComparisonTests` (facts per Compose service and aspect: see `ManifestFacts.cs`; justifications: `KomposeDisagreements.cs`).\n");
        sb.Append("kompose outputs are from testdata/corpus/kompose (kubernetes/kompose fixtures, Apache-2.0). Both outputs are reduced to what\n");
        sb.Append("they mean (env from ConfigMaps inlined, claim sizes on mounts, Secret/ConfigMap/projected files with their content, API-server\n");
        sb.Append("defaults filled in, `$$` unescaped as the kubelet does) and compared per Compose service and aspect. The test fails on any\n");
        sb.Append("disagreement not justified here, on any justification that no longer applies, and on a generic justification that does not\n");
        sb.Append("state the exact form of the difference it accepts.\n\n");
        sb.Append("## Summary\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"- fixtures: {results.Count}\n- aspects compared: {total}\n- agree: {total - all.Count}\n");
        sb.Append(CultureInfo.InvariantCulture, $"- disagree, justified: {justified}\n- disagree, not justified: {all.Count - justified}\n\n");
        sb.Append("### By aspect\n\n| aspect | compared | agree | disagree (justified) |\n|---|---:|---:|---:|\n");
        foreach (var aspect in results.SelectMany(r => r.Aspects).Distinct().Order(StringComparer.Ordinal))
        {
            var compared = results.Sum(r => r.Aspects.Count(a => a == aspect));
            var disagree = all.Count(d => d.Aspect == aspect);
            var ok = all.Count(d => d.Aspect == aspect && KomposeDisagreements.Find(d) is not null);
            sb.Append(CultureInfo.InvariantCulture, $"| {aspect} | {compared} | {compared - disagree} | {disagree} ({ok}) |\n");
        }

        sb.Append("\n## Agreement per fixture\n\n| fixture | aspects compared | agree | disagree |\n|---|---:|---:|---:|\n");
        foreach (var (fixture, aspects, disagreements) in results)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {fixture.Name} | {aspects.Count} | {aspects.Count - disagreements.Count} | {disagreements.Count} |\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"| **all** | {total} | {total - all.Count} | {all.Count} |\n\n");
        sb.Append("## Disagreements by justification\n\nEach disagreement is listed under the first entry that justifies it.\n\n");
        foreach (var entry in KomposeDisagreements.All)
        {
            var matched = all.Where(d => ReferenceEquals(KomposeDisagreements.Find(d), entry)).ToList();
            sb.Append(CultureInfo.InvariantCulture, $"### {entry.Aspect} — fixture `{entry.Case}`, service `{entry.Service}` ({matched.Count})\n\n");
            if (entry.Shape is { } shape)
            {
                sb.Append(CultureInfo.InvariantCulture, $"Accepted form: {shape.Description}\n\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"{entry.Justification}\n\n");
            foreach (var d in matched)
            {
                sb.Append(CultureInfo.InvariantCulture, $"- `{d.Case}` / `{d.Service}`: kompose `{Cell(d.Kompose)}` — Berth `{Cell(d.Berth)}`\n");
            }

            sb.Append('\n');
        }

        var open = all.Where(d => KomposeDisagreements.Find(d) is null).ToList();
        sb.Append(CultureInfo.InvariantCulture, $"## Not justified (the test fails on these: converter gaps or bugs to fix, or justifications to add) ({open.Count})\n\n");
        foreach (var d in open)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- `{d.Case}` / `{d.Service}` **{d.Aspect}**: kompose `{Cell(d.Kompose)}` — Berth `{Cell(d.Berth)}`\n");
        }

        var path = Path.Combine(TestPaths.RepositoryRoot, "docs", "design", "kompose-comparison.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sb.ToString());
    }

    // Host paths (bind mounts of the fixtures) are written relative to the repository: the report is committed.
    private static string Cell(IReadOnlyList<string> values)
        => values.Count == 0
            ? "(nothing)"
            : string.Join(" \\| ", values).Replace("`", "'", StringComparison.Ordinal).Replace(TestPaths.RepositoryRoot + "/", string.Empty, StringComparison.Ordinal);
}
