using Berth.Policy.Parsing;
using Berth.Policy.Profiles;
using CsCheck;

namespace Berth.Policy.Tests;

/// <summary>Random bytes and random edits of valid policies never make the parser throw: they give a policy or diagnostics.</summary>
public sealed class PolicyFuzzTests
{
    private static readonly string[] Seeds =
    [
        BuiltInProfiles.BaselineYaml,
        BuiltInProfiles.RestrictedYaml,
        "version: 1\nmode: warn\nscopes:\n  - namespace: prod\n    stackPrefix: pay-\n    rules:\n      ports: {allowedPublished: ['80', 8000-8999]}\n      replicas: {min: 1, max: 3}\n      images: {allowedRegistries: [ghcr.io/acme], requireDigest: true}\n",
    ];

    private const string Alphabet = " \n\t:-[]{},#&*!|>'\"%@`?0123456789abcdefghijklmnopqrstuvwxyzABC_.~";

    [Fact]
    public void Random_bytes_give_diagnostics_not_exceptions()
        => Gen.Byte.Array[0, 512].Sample(bytes => Check(System.Text.Encoding.UTF8.GetString(bytes)), iter: 3000);

    [Fact]
    public void Random_edits_of_valid_policies_give_diagnostics_not_exceptions()
    {
        var edit = Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Select(Gen.Int[0, 2], Gen.Int[0, 100_000], Gen.Char[Alphabet].Array[1, 4]).Array[1, 6]);
        edit.Sample(plan =>
        {
            var text = Seeds[plan.Item1];
            foreach (var (kind, at, chars) in plan.Item2)
            {
                var position = at % (text.Length + 1);
                text = kind switch
                {
                    0 => text.Insert(position, new string(chars)),
                    1 => text.Remove(position, Math.Min(chars.Length, text.Length - position)),
                    _ => position < text.Length ? string.Concat(text.AsSpan(0, position), new string(chars), text.AsSpan(Math.Min(text.Length, position + chars.Length))) : text,
                };
            }

            Check(text);
        }, iter: 3000);
    }

    private static void Check(string text)
    {
        var result = PolicyParser.Parse(text, "fuzz.yaml", TestContext.Current.CancellationToken);
        var hasErrors = result.Diagnostics.Any(d => d.Severity == Berth.Compose.Diagnostics.Severity.Error);
        if (result.Policy is null != hasErrors)
        {
            throw new InvalidOperationException($"a policy must be given exactly when there is no error: {text}");
        }

        if (result.Diagnostics.Any(d => d.Location.Line < 1 || !d.Code.StartsWith("BP1", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"every diagnostic has a line and a BP1xx code: {string.Join("; ", result.Diagnostics)}");
        }
    }
}
