using System.Globalization;
using System.Text;
using Berth.Kubernetes.Verification.Tests.Support;

namespace Berth.Kubernetes.Verification.Tests.Kompose;

/// <summary>One aspect of one Compose service where Berth and kompose produce a different meaning.</summary>
internal sealed record Disagreement(string Case, string Service, string Aspect, IReadOnlyList<string> Kompose, IReadOnlyList<string> Berth);

/// <summary>
/// Berth against kompose on kompose's own fixtures (../shared/corpus/kompose): both outputs are reduced to facts per
/// Compose service and aspect (<see cref="ManifestFacts"/>) and compared. Every disagreement must be listed in
/// <see cref="KomposeDisagreements"/> with a justification, and every listed one must still occur.
/// Set BERTH_WRITE_KOMPOSE_REPORT=1 to regenerate docs/design/kompose-comparison.md from the current converter.
/// </summary>
public sealed class KomposeComparisonTests
{
    private static readonly Lazy<IReadOnlyList<(KomposeCase Case, int Compared, List<Disagreement> Disagreements)>> _results = new(Compare);

    public static TheoryData<string> Cases() => [.. KomposeCase.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compare_WithKompose_EveryDisagreementIsJustified(string name)
    {
        var (_, compared, disagreements) = _results.Value.Single(r => r.Case.Name == name);
        Assert.True(compared > 0, $"{name}: nothing compared (no service found on either side?)");

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
    public void Compare_AgreesOnMostAspects()
    {
        var compared = _results.Value.Sum(r => r.Compared);
        var disagreed = _results.Value.Sum(r => r.Disagreements.Count);

        // A floor, not a target: if most aspects disagree the comparison has stopped measuring meaning.
        Assert.True(disagreed * 2 < compared, $"{disagreed} of {compared} aspects disagree");
        WriteReportIfAsked();
    }

    private static IReadOnlyList<(KomposeCase, int, List<Disagreement>)> Compare()
    {
        var root = Path.Combine(TestPaths.Corpus, "kompose");
        var results = new List<(KomposeCase, int, List<Disagreement>)>();
        foreach (var fixture in KomposeCase.All)
        {
            var kompose = ManifestFacts.Extract(YamlJson.ReadManifests(File.ReadAllText(Path.Combine(root, fixture.KomposeOutput))));
            var loaded = Conversion.Load(Path.Combine(root, fixture.ComposeFile), fixture.Interpolate);
            if (!loaded.Succeeded)
            {
                // kompose converted an input Berth's loader rejects: a disagreement of its own, to be justified.
                var errors = loaded.Diagnostics.Where(d => d.Severity == Berth.Compose.Diagnostics.Severity.Error).Select(d => d.Code + " " + d.Message);
                results.Add((fixture, 1, [new Disagreement(fixture.Name, "*", "(load)", ["converted"], [.. errors])]));
                continue;
            }

            var (_, objects) = Conversion.Convert(loaded);
            var berth = ManifestFacts.Extract(objects);
            var disagreements = new List<Disagreement>();
            var compared = 0;
            foreach (var service in kompose.Keys.Union(berth.Keys).Order(StringComparer.Ordinal))
            {
                if (!kompose.TryGetValue(service, out var k) || !berth.TryGetValue(service, out var b))
                {
                    compared++;
                    disagreements.Add(new Disagreement(fixture.Name, service, "(service)", kompose.ContainsKey(service) ? ["present"] : [], berth.ContainsKey(service) ? ["present"] : []));
                    continue;
                }

                foreach (var aspect in k.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
                {
                    compared++;
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

        var sb = new StringBuilder();
        sb.Append("# Berth vs kompose on kompose's fixtures\n\n");
        sb.Append("Generated by `BERTH_WRITE_KOMPOSE_REPORT=1 dotnet run --project tests/Berth.Kubernetes.Verification.Tests -- -class '*KomposeComparisonTests'`\n");
        sb.Append("from `KomposeComparisonTests` (facts per Compose service and aspect: see `ManifestFacts.cs`; justifications: `KomposeDisagreements.cs`).\n");
        sb.Append("kompose outputs are from ../shared/corpus/kompose (kubernetes/kompose fixtures, Apache-2.0). The test fails on any\n");
        sb.Append("disagreement not justified here, and on any justification that no longer applies.\n\n");
        sb.Append("## Agreement per fixture\n\n| fixture | aspects compared | agree | disagree |\n|---|---:|---:|---:|\n");
        foreach (var (fixture, compared, disagreements) in _results.Value)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {fixture.Name} | {compared} | {compared - disagreements.Count} | {disagreements.Count} |\n");
        }

        var total = _results.Value.Sum(r => r.Compared);
        var totalDisagree = _results.Value.Sum(r => r.Disagreements.Count);
        sb.Append(CultureInfo.InvariantCulture, $"| **all** | {total} | {total - totalDisagree} | {totalDisagree} |\n\n");
        sb.Append("## Disagreements by justification\n\n");
        foreach (var entry in KomposeDisagreements.All)
        {
            var matched = _results.Value.SelectMany(r => r.Disagreements).Where(entry.Matches).ToList();
            sb.Append(CultureInfo.InvariantCulture, $"### {entry.Aspect} — fixture `{entry.Case}`, service `{entry.Service}` ({matched.Count})\n\n{entry.Justification}\n\n");
            foreach (var d in matched)
            {
                sb.Append(CultureInfo.InvariantCulture, $"- `{d.Case}` / `{d.Service}`: kompose `{Cell(d.Kompose)}` — Berth `{Cell(d.Berth)}`\n");
            }

            sb.Append('\n');
        }

        var open = _results.Value.SelectMany(r => r.Disagreements).Where(d => KomposeDisagreements.Find(d) is null).ToList();
        sb.Append(CultureInfo.InvariantCulture, $"## Not justified (the test fails on these: converter gaps or bugs to fix, or justifications to add) ({open.Count})\n\n");
        foreach (var d in open)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- `{d.Case}` / `{d.Service}` **{d.Aspect}**: kompose `{Cell(d.Kompose)}` — Berth `{Cell(d.Berth)}`\n");
        }

        var path = Path.Combine(TestPaths.RepositoryRoot, "docs", "design", "kompose-comparison.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sb.ToString());
    }

    private static string Cell(IReadOnlyList<string> values)
        => values.Count == 0 ? "(nothing)" : string.Join(" \\| ", values).Replace("`", "'", StringComparison.Ordinal);
}
