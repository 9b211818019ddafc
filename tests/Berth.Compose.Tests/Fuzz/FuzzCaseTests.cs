using System.Collections.Immutable;
using Berth.Compose.Loading;
using Berth.Kubernetes.Convert;

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

    [Theory]
    // Found by the fuzzer: the Kubernetes client's quantity parser threw (FormatException, ArgumentException).
    [InlineData("1*")]
    [InlineData("0M!")]
    [InlineData("ten gigabytes")]
    public void KubernetesConvert_VolumeSizeThatIsNotAQuantity_IsBK201AtTheVolume(string size)
    {
        var directory = Directory.CreateTempSubdirectory("berth-fuzz-case-").FullName;
        try
        {
            var file = Path.Combine(directory, "compose.yaml");
            File.WriteAllText(file, $"services:\n  db:\n    image: postgres\n    volumes: ['data:/var/lib/data']\nvolumes:\n  data:\n    labels:\n      kompose.volume.size: '{size}'\n");
            var loaded = ProjectLoader.Load(new LoadOptions { Files = [file], WorkingDirectory = directory, Environment = ImmutableDictionary<string, string>.Empty }, TestContext.Current.CancellationToken);
            Assert.True(loaded.Succeeded, string.Join('\n', loaded.Diagnostics));

            var plan = KubernetesConverter.Convert(loaded.Project!, new KubernetesConvertOptions());

            var error = Assert.Single(plan.Diagnostics, d => d.Severity == Berth.Compose.Diagnostics.Severity.Error);
            Assert.Equal(KubernetesDiagnosticCodes.InvalidValue, error.Code);
            Assert.Contains($"'{size}'", error.Message, StringComparison.Ordinal);
            Assert.Equal((file, 7), (error.Location.File, error.Location.Line)); // the volume's mapping
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    // Found by the fuzzer: include: "\0" made Path.GetFullPath throw (an internal error); the other keys turn values into paths too.
    [InlineData("include: [\"\\0\"]\nservices: {web: {image: x}}\n", 1)]
    [InlineData("services:\n  web:\n    image: x\n    env_file: \"a\\0\"\n", 4)]
    [InlineData("services:\n  web:\n    image: x\n    build: \"\\0\"\n", 4)]
    [InlineData("services:\n  web:\n    image: x\n    volumes: [\"./a\\0:/x\"]\n", 4)]
    [InlineData("services:\n  web:\n    image: x\n    extends: {file: \"\\0\", service: a}\n", 4)]
    [InlineData("services:\n  web: {image: x}\nsecrets:\n  s: {file: \"\\0\"}\n", 4)]
    public void NulCharacterInAPath_IsBC405AtTheValue(string yaml, int line)
    {
        var directory = Directory.CreateTempSubdirectory("berth-fuzz-case-").FullName;
        try
        {
            var file = Path.Combine(directory, "compose.yaml");
            File.WriteAllText(file, yaml);
            var loaded = ProjectLoader.Load(new LoadOptions { Files = [file], WorkingDirectory = directory, Environment = ImmutableDictionary<string, string>.Empty }, TestContext.Current.CancellationToken);

            var error = Assert.Single(loaded.Diagnostics, d => d.Severity == Berth.Compose.Diagnostics.Severity.Error);
            Assert.Equal(Berth.Compose.Diagnostics.DiagnosticCodes.InvalidValue, error.Code);
            Assert.Contains("NUL", error.Message, StringComparison.Ordinal);
            Assert.Equal((file, line), (error.Location.File, error.Location.Line));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
