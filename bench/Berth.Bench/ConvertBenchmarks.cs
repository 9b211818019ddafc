using BenchmarkDotNet.Attributes;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Kubernetes.Convert;

namespace Berth.Bench;

/// <summary>Compose → Kubernetes conversion: the generated 2,000-service project (load + convert, and convert alone) and the corpus.</summary>
[MemoryDiagnoser]
public class ConvertBenchmarks
{
    private string _generated = string.Empty;
    private ComposeProject _loaded = null!;
    private ComposeProject[] _corpus = [];

    [GlobalSetup]
    public void Setup()
    {
        _generated = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), "berth-bench-2000"), 2000);
        _loaded = ConvertRun.Load(_generated);
        _corpus = [.. Corpus.ValidFiles().Select(f => ProjectLoader.Load(new LoadOptions { Files = [f], WorkingDirectory = Path.GetDirectoryName(f)!, Environment = ConvertRun.Environment }).Project).OfType<ComposeProject>()];
    }

    [Benchmark]
    public int LoadAndConvert2000Services() => ConvertRun.Convert(ConvertRun.Load(_generated)).Objects.Length;

    [Benchmark]
    public int Convert2000Services() => ConvertRun.Convert(_loaded).Objects.Length;

    [Benchmark]
    public int ConvertCorpusToYaml()
    {
        var total = 0;
        foreach (var project in _corpus)
        {
            total += KubernetesManifestWriter.ToYaml(ConvertRun.Convert(project)).Length;
        }

        return total;
    }
}

/// <summary>Shared by the benchmarks and the `convert` quick mode.</summary>
public static class ConvertRun
{
    public static readonly System.Collections.Immutable.ImmutableDictionary<string, string> Environment =
        System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("HOME", "/root");

    public static ComposeProject Load(string file)
    {
        var result = ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Environment });
        return result.Project ?? throw new InvalidOperationException(string.Join('\n', result.Diagnostics));
    }

    public static KubernetesPlan Convert(ComposeProject project) => KubernetesConverter.Convert(project, new KubernetesConvertOptions());

    /// <summary>`convert [N]`: one timed load + convert + YAML of N generated services (after a warm-up of all three), with allocations.</summary>
    public static void Quick(int services)
    {
        var file = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), $"berth-bench-{services}"), services);
        KubernetesManifestWriter.ToYaml(Convert(Load(file))); // warm-up (JIT, JSON serialiser metadata) of every timed step
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var total = System.Diagnostics.Stopwatch.StartNew();
        var project = Load(file);
        var loadMs = total.Elapsed.TotalMilliseconds;
        var plan = Convert(project);
        var convertMs = total.Elapsed.TotalMilliseconds - loadMs;
        var yaml = KubernetesManifestWriter.ToYaml(plan);
        total.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Console.WriteLine(
            $"services={services} objects={plan.Objects.Length} errors={plan.Diagnostics.Count(d => d.Severity == Berth.Compose.Diagnostics.Severity.Error)} " +
            $"load_ms={loadMs:F1} convert_ms={convertMs:F1} load_convert_yaml_ms={total.Elapsed.TotalMilliseconds:F1} " +
            $"allocated_mb={allocated / 1048576.0:F1} yaml_kb={yaml.Length / 1024}");
    }
}
