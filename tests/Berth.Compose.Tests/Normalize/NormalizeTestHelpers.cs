using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Output;
using Berth.Compose.Transform;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Normalize;

internal static class NormalizeTestHelpers
{
    public const string ProjectDirectory = "/project";

    public static MappingNode Parse(string yaml, string file = "compose.yaml")
    {
        var bag = new DiagnosticBag();
        var docs = YamlTreeReader.Read(yaml, file, LoadLimits.Default, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        return Assert.IsType<MappingNode>(docs[0]);
    }

    public static NormalizeContext Context(IDictionary<string, string>? environment = null, bool interpolate = true, string projectDirectory = ProjectDirectory)
        => new("proj", projectDirectory, (environment ?? new Dictionary<string, string>()).ToImmutableDictionary(StringComparer.Ordinal), interpolate);

    public static (MappingNode Result, DiagnosticBag Bag) Run(string yaml, NormalizeContext? context = null)
    {
        var bag = new DiagnosticBag();
        var result = ProjectNormalizer.Normalize(Parse(yaml), context ?? Context(), bag);
        return (result, bag);
    }

    public static string NormalizeToYaml(string yaml, NormalizeContext? context = null)
    {
        var (result, bag) = Run(yaml, context);
        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        return CanonicalYamlWriter.Write(result);
    }

    /// <summary>The node at a dotted path (mapping keys only).</summary>
    public static ComposeNode At(ComposeNode root, params string[] keys)
    {
        var node = root;
        foreach (var key in keys)
        {
            node = Assert.IsType<MappingNode>(node)[key] ?? throw new Xunit.Sdk.XunitException($"missing key {key}");
        }

        return node;
    }

    /// <summary>The corpus folder (testdata/corpus, see <see cref="Support.TestPaths"/>).</summary>
    public static string CorpusDirectory() => Support.TestPaths.Corpus;
}
