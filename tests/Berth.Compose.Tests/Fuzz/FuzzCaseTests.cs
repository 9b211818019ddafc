namespace Berth.Compose.Tests.Fuzz;

/// <summary>Every input the fuzzer ever broke Berth with (Fuzz/Cases) goes through config and convert without an exception.</summary>
public sealed class FuzzCaseTests
{
    public static TheoryData<string> Cases()
    {
        var files = Directory.EnumerateFiles(FuzzCorpus.CasesDirectory).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        return [.. files];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task KeptCase_ConfigAndConvert_EndInDiagnosticsNotExceptions(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FuzzCorpus.CasesDirectory, name));
        var text = MutationFuzzer.Decode(bytes);
        foreach (var variant in new[] { PipelineVariant.Default, new PipelineVariant(Interpolate: false, CheckConsistency: false, NetworkPolicies: true, NodePort: true) })
        {
            var run = Task.Run(() => ComposePipeline.Run(text, FuzzCorpus.CasesDirectory, variant), TestContext.Current.CancellationToken);
            var first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            Assert.True(first == run, $"{name} ({variant}) did not finish within 30 s");
            await run;
        }
    }
}
