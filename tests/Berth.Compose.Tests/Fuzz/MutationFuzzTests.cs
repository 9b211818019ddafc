using System.Globalization;
using System.Text;
using Berth.Compose.Tests.Support;

namespace Berth.Compose.Tests.Fuzz;

/// <summary>
/// Mutations of the real corpus files through 'berth config' and 'berth convert' (Kubernetes and Swarm) never end
/// in an exception or a hang. In CI a fixed range of seeds runs; bench/fuzz/run.sh runs millions through the same
/// test with BERTH_FUZZ_CASES (and BERTH_FUZZ_SEED, BERTH_FUZZ_THREADS, BERTH_FUZZ_OUT for the findings).
/// </summary>
public sealed class MutationFuzzTests
{
    private const long CiSeed = 20_261_206;
    private const long CiCases = 2_000;

    [Fact]
    public void MutatedCorpus_ConfigAndConvert_NeverCrashOrHang()
    {
        var cases = Setting("BERTH_FUZZ_CASES", CiCases);
        var seed = Setting("BERTH_FUZZ_SEED", CiSeed);
        var output = Environment.GetEnvironmentVariable("BERTH_FUZZ_OUT");
        var fuzzer = new MutationFuzzer(FuzzCorpus.Files())
        {
            Threads = (int)Setting("BERTH_FUZZ_THREADS", 1),
            Minimise = output is not null,
        };

        using var log = output is null ? null : OpenLog(output);
        var summary = fuzzer.Run(seed, cases, log is null ? null : line => log.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {line}"), TestContext.Current.CancellationToken);
        log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss} done: {summary.Cases} cases (seeds {seed}..{seed + cases - 1}) in {summary.Elapsed.TotalSeconds:F0} s, {summary.CasesPerSecond:F1} cases/s, {summary.Findings.Count} distinct findings, {summary.SlowCases} slow cases; {summary.Outcomes}"));
        if (output is not null)
        {
            SaveFindings(output, summary);
        }

        Assert.Equal(cases, summary.Cases);
        Assert.True(summary.Findings.Count == 0, Describe(summary));
    }

    [Fact]
    public void MutatedEnvFiles_DotEnvParser_NeverThrows()
    {
        // The .env reader is Berth's own parser; the same mutations over the corpus's env files (fixed seeds).
        var files = FuzzCorpus.EnvFiles().Select(File.ReadAllBytes).ToArray();
        Assert.NotEmpty(files);
        for (var seed = 0; seed < 20_000; seed++)
        {
            var rng = new Random(seed);
            var text = MutationFuzzer.Decode(ComposeMutator.Mutate(files[rng.Next(files.Length)], files[rng.Next(files.Length)], rng));
            var bag = new Berth.Compose.Diagnostics.DiagnosticBag();
            try
            {
                _ = Berth.Compose.Interpolation.DotEnvParser.Parse(text, ".env", name => name == "A" ? "1" : null, bag, interpolate: seed % 2 == 0);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}: {ex}\ninput: {System.Text.Json.JsonSerializer.Serialize(text)}");
            }

            Assert.All(bag.ToImmutable(), d => Assert.True(d.Location.Line >= 1, d.ToString()));
        }
    }

    [Fact]
    public void Mutator_SameSeed_GivesTheSameCase()
    {
        var files = FuzzCorpus.Files().ToList();
        var a = new MutationFuzzer(files).CreateCase(42);
        var b = new MutationFuzzer(files).CreateCase(42);
        var c = new MutationFuzzer(files).CreateCase(43);
        Assert.Equal(a.CorpusFile, b.CorpusFile);
        Assert.Equal(a.Input, b.Input);
        Assert.Equal(a.Variant, b.Variant);
        Assert.False(a.Input.AsSpan().SequenceEqual(c.Input) && a.CorpusFile == c.CorpusFile);
    }

    [Fact]
    public void Fuzzer_ReportsAnExceptionWithItsSeed()
    {
        // The fuzzer must see what the CLI would turn into exit 70: an input that loads fine is not a finding, and
        // the pipeline's exceptions are (checked through a case whose working directory does not exist).
        var fuzzer = new MutationFuzzer(FuzzCorpus.Files());
        var fine = fuzzer.Execute(new FuzzCase(1, Path.Combine(TestPaths.RepoRoot, "compose.yaml"), Encoding.UTF8.GetBytes("services:\n  web:\n    image: nginx\n"), PipelineVariant.Default));
        Assert.Null(fine.Failure);

        var broken = fuzzer.Execute(new FuzzCase(2, "\0/compose.yaml", Encoding.UTF8.GetBytes("services: {}\n"), PipelineVariant.Default));
        Assert.NotNull(broken.Failure);
    }

    private static long Setting(string name, long fallback)
        => long.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static StreamWriter OpenLog(string output)
    {
        Directory.CreateDirectory(output);
        return new StreamWriter(Path.Combine(output, "fuzz.log"), append: true) { AutoFlush = true };
    }

    private static void SaveFindings(string output, FuzzSummary summary)
    {
        foreach (var finding in summary.Findings)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"finding-{finding.Case.Seed}");
            File.WriteAllBytes(Path.Combine(output, name + ".yaml"), finding.Minimised);
            File.WriteAllText(Path.Combine(output, name + ".txt"), $"{finding.Signature}\nhits: {finding.Hits}\nseed: {finding.Case.Seed}\ncorpus file: {finding.Case.CorpusFile}\nflags: {finding.Case.Variant}\n\n{finding.Detail}\n");
        }
    }

    private static string Describe(FuzzSummary summary)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{summary.Findings.Count} distinct failures in {summary.Cases} cases:\n");
        foreach (var f in summary.Findings)
        {
            text.Append(CultureInfo.InvariantCulture, $"- seed {f.Case.Seed} ({f.Hits} hits; reproduce: BERTH_FUZZ_SEED={f.Case.Seed} BERTH_FUZZ_CASES=1), {f.Case.CorpusFile}, flags '{f.Case.Variant}': {f.Signature}\n  input: {Printable(f.Minimised)}\n  {f.Detail.Split('\n')[0]}\n");
        }

        return text.ToString();
    }

    private static string Printable(byte[] input)
    {
        var text = MutationFuzzer.Decode(input);
        return text.Length > 300 ? System.Text.Json.JsonSerializer.Serialize(text[..300]) + "…" : System.Text.Json.JsonSerializer.Serialize(text);
    }
}
