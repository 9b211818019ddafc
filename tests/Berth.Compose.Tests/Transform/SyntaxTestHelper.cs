using Berth.Compose.Diagnostics;
using Berth.Compose.Output;
using Berth.Compose.Transform;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Transform;

/// <summary>Runs YAML text through the syntax canonicaliser and prints parts of the result as canonical YAML.</summary>
internal static class SyntaxTestHelper
{
    public const string FileName = "compose.yaml";

    public static (MappingNode Document, DiagnosticBag Diagnostics) Canonicalize(string yaml)
    {
        var diagnostics = new DiagnosticBag();
        var documents = YamlTreeReader.Read(yaml, FileName, LoadLimits.Default, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.ToImmutable()));
        var document = Assert.IsType<MappingNode>(documents[0]);
        return (SyntaxCanonicalizer.Canonicalize(document, diagnostics), diagnostics);
    }

    /// <summary>Canonicalises a file with one service <c>web</c> whose body is <paramref name="serviceYaml"/>; returns that service's <paramref name="key"/> as YAML.</summary>
    public static string Service(string serviceYaml, string key)
    {
        var (document, diagnostics) = Canonicalize(WrapService(serviceYaml));
        Assert.Empty(diagnostics.ToImmutable().Where(d => d.Severity == Severity.Error));
        return Print(Web(document)[key]!);
    }

    /// <summary>Canonicalises a service body that must fail; returns the diagnostics.</summary>
    public static IReadOnlyList<Diagnostic> ServiceErrors(string serviceYaml)
    {
        var (_, diagnostics) = Canonicalize(WrapService(serviceYaml));
        return [.. diagnostics.ToImmutable().Where(d => d.Severity == Severity.Error)];
    }

    public static string WrapService(string serviceYaml)
        => "services:\n  web:\n" + string.Join('\n', serviceYaml.Split('\n').Select(l => l.Length == 0 ? l : "    " + l)) + "\n";

    public static MappingNode Web(MappingNode document) => (MappingNode)((MappingNode)document["services"]!)["web"]!;

    public static string Print(ComposeNode node) => CanonicalYamlWriter.Write(node);

    /// <summary>Raw string literals keep no trailing newline; the writer always ends with one.</summary>
    public static string Expect(string expected) => expected.ReplaceLineEndings("\n") + "\n";
}
