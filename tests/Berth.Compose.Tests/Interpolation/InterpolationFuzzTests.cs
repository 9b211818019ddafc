using Berth.Compose.Diagnostics;
using Berth.Compose.Interpolation;
using Berth.Compose.Yaml;
using CsCheck;

namespace Berth.Compose.Tests.Interpolation;

public sealed class InterpolationFuzzTests
{
    // Fragments that matter to the parsers, so random strings hit the interesting paths often.
    private static readonly string[] Fragments =
    [
        "$", "$$", "${", "}", "{", ":", "-", "+", "?", ":-", ":?", ":+", "A", "B", "_", "x", "1", " ", "\t", "\n", "\r\n",
        "\"", "'", "\\", "#", " #", "=", "export ", "\uFEFF", "é", "\0", "${A", "${A:-", "${B?", "$A", "\\$", "\\0123",
    ];

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Int[0, Fragments.Length - 1].Select(i => Fragments[i]).Array[0, 40].Select(parts => string.Concat(parts)),
        Gen.Char.Array[0, 80].Select(chars => new string(chars)));

    private static string? Lookup(string name) => name switch
    {
        "A" => "a",
        "E" => string.Empty,
        _ => null,
    };

    [Fact]
    public void TrySubstitute_RandomInput_NeverThrowsAndIsConsistent()
    {
        Text.Sample(text =>
        {
            var ok = Interpolator.TrySubstitute(text, Lookup, unsetVariable: null, out var result, out var error);
            Assert.Equal(ok, error is null);
            Assert.NotNull(result);
            if (!text.Contains('$', StringComparison.Ordinal))
            {
                Assert.True(ok);
                Assert.Equal(text, result);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Interpolate_RandomScalars_NeverThrow()
    {
        Gen.Select(Text, Text, Gen.Bool).Sample((a, b, quoted) =>
        {
            var at = new SourceLocation("fuzz.yaml", 1, 1);
            var value = quoted ? ScalarNode.String(a, at) : ScalarNode.Plain(a.Length == 0 ? "x" : a, at);
            var root = new MappingNode(
            [
                new MappingEntry(ScalarNode.String(b, at), value),
                new MappingEntry(ScalarNode.String("list", at), new SequenceNode([value, ScalarNode.Plain(b.Length == 0 ? "y" : b, at)], at)),
            ], at);
            var bag = new DiagnosticBag();
            var result = Interpolator.Interpolate(root, Lookup, bag);
            Assert.NotNull(result);
        }, iter: 5_000);
    }

    [Fact]
    public void DotEnvParse_RandomInput_NeverThrows()
    {
        Text.Sample(text =>
        {
            var bag = new DiagnosticBag();
            var entries = DotEnvParser.Parse(text, "fuzz.env", Lookup, bag);
            Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.Key)));
            DotEnvParser.Parse(text, "fuzz.env", Lookup, new DiagnosticBag(), interpolate: false);
        }, iter: 20_000);
    }

    [Fact]
    public void DotEnvParse_RandomKeyValueLines_RoundTripSimpleValues()
    {
        var key = Gen.Char["ABCXYZ_"].Array[1, 8].Select(c => new string(c));
        var value = Gen.Char["abc123-/.:@"].Array[0, 12].Select(c => new string(c));
        Gen.Select(key, value).Array[1, 10].Sample(pairs =>
        {
            var text = string.Join("\n", pairs.Select(p => $"{p.Item1}={p.Item2}"));
            var bag = new DiagnosticBag();
            var entries = DotEnvParser.Parse(text, "fuzz.env", _ => null, bag);
            Assert.False(bag.HasErrors);
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in pairs)
            {
                expected[k] = v;
            }

            Assert.Equal(expected, entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
        }, iter: 2_000);
    }
}
