using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Compose.Loading;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Convert.Output;
using Berth.Kubernetes.Tests.Support;
using k8s;

namespace Berth.Kubernetes.Tests.Convert;

/// <summary>
/// The direct YAML writer must print exactly what YamlDotNet's emitter (the reference path) prints, and must take
/// the direct path for ordinary manifests (otherwise it is not fast).
/// </summary>
public sealed class JsonYamlWriterTests
{
    private static readonly string[] _tricky =
    [
        "plain", "with space", "80", "0440", "1.5", "-1", "+1", ".5", "1e3", "0x1F", "true", "True", "false", "null", "Null", "~", "yes", "no", "on", "off", "y", "N", "<<",
        "", " ", " lead", "trail ", "a: b", "a:b", "a:", ":a", ": a", "?", "? a", "?a", "-", "- a", "-a", "--", "---", "--- a", "...", "..x", "#x", "a #b", "a#b",
        "$HOME", "$$(VAR)", "'quoted'", "it's", "\"dq\"", "back\\slash", "a,b", "[x]", "{x}", "&a", "*a", "!tag", "|x", ">x", "%x", "@x", "`x", "a|b", "a>b",
        "http://localhost/ || exit 1", "/bin/sh", "nginx:1.25", "app.kubernetes.io/name", "=x", "x=", "a\tb", "tab\t", "caf\u00e9", "\u00e9t\u00e9", "ctl\u0001",
        "line1\nline2", "line1\nline2\n", "line1\n\nline2\n", "\nlead", " lead\nx", "x\n\n", "x\n", "\n", "trail \nx", "x\n trail", "a\r\nb", "a\nb\tc", "a\nb ",
        "listen=8080\nmode=compose\n", "caf\u00e9\nx\n", "#!/bin/sh\necho $$x\n", "- a\n- b\n", "key: v\n", new string('k', 1100),
    ];

    public static TheoryData<string> Tricky() => [.. _tricky];

    [Theory]
    [MemberData(nameof(Tricky))]
    public void Write_TrickyString_InEveryPosition_MatchesTheEmitter(string text)
    {
        var document = new JsonObject
        {
            ["value"] = text,
            [text] = "as-key",
            ["list"] = new JsonArray(text, "after"),
            ["items"] = new JsonArray(new JsonObject { ["name"] = text, ["args"] = new JsonArray(text, new JsonArray(text, "x"), new JsonObject()) }, new JsonArray(text)),
            ["nested"] = new JsonObject { ["deeper"] = new JsonObject { ["text"] = text, ["empty"] = new JsonArray(), ["none"] = null, ["n"] = 3, ["b"] = true } },
        };

        AssertSameAsEmitter(document.ToJsonString());
    }

    [Fact]
    public void Write_RandomStrings_MatchTheEmitter()
    {
        const string Alphabet = "ab09 :#-?'\"\\\n.$,[]{}&*!|>%@`\t\u00e9~";
        var random = new Random(1234);
        for (var i = 0; i < 3000; i++)
        {
            var chars = new char[random.Next(1, 9)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(Alphabet.Length)];
            }

            var text = new string(chars);
            AssertSameAsEmitter(new JsonObject { ["v"] = text, [text] = 1, ["s"] = new JsonArray(text, new JsonObject { ["k"] = text }) }.ToJsonString());
        }
    }

    [Fact]
    public void Write_GoldenManifests_UseTheDirectPathAndMatchTheEmitter()
    {
        var direct = 0;
        foreach (var dir in Directory.EnumerateDirectories(TestPaths.GoldenRoot).Order(StringComparer.Ordinal))
        {
            var load = ProjectLoader.Load(new LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], WorkingDirectory = dir }, TestContext.Current.CancellationToken);
            var plan = KubernetesConverter.Convert(load.Project!, new KubernetesConvertOptions { FileContents = ResourceContentReader.Read(load.Project!) });
            foreach (var obj in plan.Objects)
            {
                direct += AssertSameAsEmitter(KubernetesJson.Serialize(obj)) ? 1 : 0;
            }
        }

        // Every golden object is ASCII; all of them must go the fast way.
        Assert.True(direct > 100, $"only {direct} golden objects took the direct path");
    }

    [Fact]
    public void Write_NonAsciiDocument_FallsBackToTheEmitter()
    {
        using var document = JsonDocument.Parse("""{"kind":"ConfigMap","data":{"k":"caf\u00e9"}}""");
        var builder = new StringBuilder("kept");
        Assert.False(JsonYamlWriter.TryWriteDirect(builder, document.RootElement));
        Assert.Equal("kept", builder.ToString());
        Assert.Equal("kind: ConfigMap\ndata:\n  k: café\n", JsonYamlWriter.Write(document.RootElement.GetRawText()));
    }

    /// <summary>Asserts the written YAML equals the emitter's; returns whether the direct path produced it.</summary>
    private static bool AssertSameAsEmitter(string json)
    {
        using var document = JsonDocument.Parse(json);
        var expected = JsonYamlWriter.WriteWithEmitter(document.RootElement);
        var builder = new StringBuilder();
        var direct = JsonYamlWriter.TryWriteDirect(builder, document.RootElement);
        if (direct)
        {
            Assert.Equal(expected, builder.ToString());
        }

        Assert.Equal(expected, JsonYamlWriter.Write(json));
        return direct;
    }
}
