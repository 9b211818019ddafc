using System.Collections.Immutable;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using CsCheck;

namespace Berth.Compose.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of the whole loader: mutated corpus files and random YAML-like text never crash it,
/// never hang it, and always end in either a project or at least one error diagnostic with a code and a message.
/// </summary>
public sealed class LoaderFuzzTests
{
    private static readonly string[] Seeds = [.. CorpusFiles.ComposeFiles()
        .Where(f => f.Contains("/awesome-compose/", StringComparison.Ordinal) || f.Contains("/kompose/", StringComparison.Ordinal) || f.EndsWith("full-example.yml", StringComparison.Ordinal))
        .Select(File.ReadAllText)];

    private const string YamlAlphabet = " \n\t:-[]{},#&*!|>'\"%@`?$<=~.0123456789abcxyz_/\\\r\u00e9\u2603";

    private static readonly Gen<string> RandomYaml = Gen.Char[YamlAlphabet].Array[0, 400].Select(chars => new string(chars));

    private static readonly Gen<string> MutatedCorpus =
        from seed in Gen.Int[0, Seeds.Length - 1]
        from mutations in Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Int[0, 64], Gen.String[Gen.Char[YamlAlphabet], 0, 8]).Array[1, 6]
        select Mutate(Seeds[seed], mutations);

    [Fact]
    public void Load_RandomYamlLikeText_NeverCrashesOrHangs()
        => RandomYaml.Sample(AssertLoadsOrReports, iter: 300, threads: 1);

    [Fact]
    public void Load_MutatedCorpusFiles_NeverCrashOrHang()
        => MutatedCorpus.Sample(AssertLoadsOrReports, iter: 400, threads: 1);

    private static string Mutate(string text, (int Kind, int Position, int Length, string Insert)[] mutations)
    {
        var sb = new StringBuilder(text);
        foreach (var (kind, position, length, insert) in mutations)
        {
            if (sb.Length == 0)
            {
                sb.Append(insert);
                continue;
            }

            var at = position % sb.Length;
            var len = Math.Min(length, sb.Length - at);
            switch (kind)
            {
                case 0:
                    sb.Remove(at, len);
                    break;
                case 1:
                    sb.Insert(at, insert);
                    break;
                case 2:
                    sb.Insert(at, sb.ToString(at, len));
                    break;
                default:
                    sb.Remove(at, len).Insert(at, insert);
                    break;
            }
        }

        return sb.ToString();
    }

    private static void AssertLoadsOrReports(string text)
    {
        var directory = Path.Combine(Path.GetTempPath(), "berth-fuzz");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"compose-{Environment.CurrentManagedThreadId}.yaml");
        File.WriteAllText(file, text);
        var options = new LoadOptions
        {
            Files = [file],
            WorkingDirectory = directory,
            Environment = ImmutableDictionary<string, string>.Empty.Add("HOME", "/home/fuzz"),
        };

        var task = Task.Run(() => ProjectLoader.Load(options));
        Assert.True(task.Wait(TimeSpan.FromSeconds(10)), "loader did not finish within 10 s on:\n" + text);
        var result = task.Result;
        if (!result.Succeeded)
        {
            var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
            Assert.NotEmpty(errors);
            Assert.All(errors, d => Assert.False(string.IsNullOrEmpty(d.Code) || string.IsNullOrEmpty(d.Message)));
        }
    }
}
