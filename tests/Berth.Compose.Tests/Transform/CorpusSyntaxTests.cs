using Berth.Compose.Diagnostics;
using Berth.Compose.Transform;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Transform;

/// <summary>Every Compose file of the shared corpus canonicalises without an exception and, unless listed, without an error.</summary>
public sealed class CorpusSyntaxTests
{
    // Files that are wrong on purpose: compose-go's loader tests expect an error from them too.
    private static readonly Dictionary<string, string> ExpectedErrors = new(StringComparer.Ordinal)
    {
        ["compose-go/attribute-snippets/environment__TestEnvironmentWhitespace.yaml"] = "'DEBUG = true': a variable name with a trailing space (compose-go rejects it as well)",
    };

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var root = CorpusRoot();
        if (root is null)
        {
            return data;
        }

        foreach (var file in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        }

        return data;
    }

    [Fact]
    public void Corpus_IsFound()
    {
        Assert.NotNull(CorpusRoot());
        Assert.True(Files().Count > 100);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Canonicalize_CorpusFile_HasNoUnexpectedError(string relativePath)
    {
        var root = CorpusRoot()!;
        var file = Path.Combine(root, relativePath);
        var diagnostics = new DiagnosticBag();
        var documents = YamlTreeReader.Read(File.ReadAllText(file), file, LoadLimits.Default, diagnostics);
        if (diagnostics.HasErrors)
        {
            // Not ours to judge: some corpus files are deliberately unreadable YAML.
            return;
        }

        var syntax = new DiagnosticBag();
        foreach (var document in documents.OfType<MappingNode>())
        {
            var canonical = SyntaxCanonicalizer.Canonicalize(document, syntax);
            PathResolver.Resolve(canonical, Path.GetDirectoryName(file)!, "/home/user", syntax);
        }

        var errors = syntax.ToImmutable().Where(d => d.Severity == Severity.Error).ToList();
        if (ExpectedErrors.ContainsKey(relativePath))
        {
            Assert.NotEmpty(errors);
        }
        else
        {
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }

    internal static string? CorpusRoot() => Support.TestPaths.Corpus;
}
