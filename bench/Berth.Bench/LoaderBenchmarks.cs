using BenchmarkDotNet.Attributes;
using Berth.Compose.Loading;

namespace Berth.Bench;

/// <summary>In-process load time and allocations: a generated 2,000-service project and the whole corpus.</summary>
[MemoryDiagnoser]
public class LoaderBenchmarks
{
    private string _generated = string.Empty;
    private string[] _corpus = [];

    [GlobalSetup]
    public void Setup()
    {
        _generated = GeneratedProject.Write(Path.Combine(Path.GetTempPath(), "berth-bench-2000"), 2000);
        _corpus = Corpus.ValidFiles();
    }

    [Benchmark]
    public int Load2000Services()
    {
        var result = ProjectLoader.Load(new LoadOptions { Files = [_generated], Environment = Env() });
        return result.Project?.Services.Count ?? throw new InvalidOperationException(string.Join('\n', result.Diagnostics));
    }

    [Benchmark]
    public int LoadCorpus()
    {
        var total = 0;
        foreach (var file in _corpus)
        {
            total += ProjectLoader.Load(new LoadOptions { Files = [file], Environment = Env() }).Project?.Services.Count ?? 0;
        }

        return total;
    }

    private static System.Collections.Immutable.ImmutableDictionary<string, string> Env()
        => System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("HOME", "/root");
}
