using System.Text;
using Berth.Cli.Orchestration;

namespace Berth.Cli.Tests;

/// <summary>Issue 9 for the Berth config file: no content makes the reader throw (the CLI would exit 70); it is a one-line error naming the file.</summary>
public sealed class BerthConfigReaderFuzzTests
{
    private const string Valid = """
        {"orchestrator": "kubernetes", // the default
         "kubernetes": {"namespace": "shop", "context": "kind-dev", "kubeconfig": "kube/config"},}
        """;

    private static readonly string[] Tokens = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\u0000", "null", "true", "1e999", "-", "/*", "//", "\n", "\0", "\u00e9", "\uFEFF", "~/", "\"kubeconfig\": ", "\"kubernetes\": "];

    [Theory]
    [InlineData("""{"kubernetes": {"kubeconfig": "a\u0000b"}}""", "NUL")]
    [InlineData("""{"orchestrator": "\ud800"}""", "not valid text")]
    [InlineData("""{"kubernetes": {"namespace": "\udc00x"}}""", "not valid text")]
    public void InvalidText_IsAnErrorNamingTheFile(string json, string expected)
    {
        var result = BerthConfigReader.Parse(json, "/etc/berth.json", _ => "/home/u");

        Assert.Contains("/etc/berth.json", result.Error, StringComparison.Ordinal);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MutatedConfig_NeverThrows()
    {
        for (var seed = 0; seed < 20_000; seed++)
        {
            var rng = new Random(seed);
            var text = new StringBuilder(Valid);
            for (var i = 1 + rng.Next(4); i > 0; i--)
            {
                var at = rng.Next(text.Length + 1);
                switch (rng.Next(3))
                {
                    case 0:
                        text.Insert(at, Tokens[rng.Next(Tokens.Length)]);
                        break;
                    case 1 when at < text.Length:
                        text.Remove(at, Math.Min(text.Length - at, 1 + rng.Next(8)));
                        break;
                    default:
                        text.Insert(at, (char)rng.Next(0x20, 0x7f));
                        break;
                }
            }

            try
            {
                var result = BerthConfigReader.Parse(text.ToString(), "/etc/berth.json", _ => rng.Next(2) == 0 ? null : "/home/u");
                Assert.True(result.Error is null || result.Error.Contains("/etc/berth.json", StringComparison.Ordinal), result.Error);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {seed}: {ex}\ninput: {System.Text.Json.JsonSerializer.Serialize(text.ToString())}");
            }
        }
    }
}
