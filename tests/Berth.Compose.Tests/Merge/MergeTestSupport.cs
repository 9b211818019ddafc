using Berth.Compose.Diagnostics;
using Berth.Compose.Merge;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Merge;

/// <summary>Small helpers shared by the merge tests: reading YAML, walking trees, finding the corpus.</summary>
internal static class MergeTestSupport
{
    public static MappingNode Doc(string yaml, string file = "compose.yaml")
    {
        var bag = new DiagnosticBag();
        var docs = YamlTreeReader.Read(yaml, file, LoadLimits.Default, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        return Assert.IsType<MappingNode>(Assert.Single(docs));
    }

    /// <summary>Follows a path of keys separated by '/' (keys such as '/data' are not used in these lookups).</summary>
    public static ComposeNode? Get(ComposeNode node, string path)
    {
        ComposeNode? current = node;
        foreach (var key in path.Split('/'))
        {
            current = current switch
            {
                MappingNode m => m[key],
                SequenceNode s when int.TryParse(key, out var i) && i < s.Count => s[i],
                _ => null,
            };
        }

        return current;
    }

    public static string? Text(ComposeNode node, string path) => Get(node, path) is ScalarNode s ? s.AsString() : null;

    public static List<string> Strings(ComposeNode node, string path)
        => Assert.IsType<SequenceNode>(Get(node, path)).Items.Select(i => ((ScalarNode)i).AsString()).ToList();

    public static void AssertNoTags(ComposeNode node)
    {
        Assert.Null(node.Tag);
        switch (node)
        {
            case MappingNode m:
                foreach (var e in m.Entries)
                {
                    AssertNoTags(e.Value);
                }

                break;
            case SequenceNode s:
                foreach (var i in s.Items)
                {
                    AssertNoTags(i);
                }

                break;
            default:
                break;
        }
    }

    public static MappingNode MergeYaml(string baseYaml, string overlayYaml, DiagnosticBag? bag = null)
    {
        bag ??= new DiagnosticBag();
        var result = ComposeMerger.Merge(Doc(baseYaml, "base.yaml"), Doc(overlayYaml, "override.yaml"), bag);
        AssertNoTags(result);
        return result;
    }

    /// <summary>The corpus folder (testdata/corpus, see <see cref="Support.TestPaths"/>).</summary>
    public static string CorpusDirectory => Support.TestPaths.Corpus;

    public static string LoaderTestData => Path.Combine(CorpusDirectory, "compose-go", "testdata-head", "loader", "testdata");
}

/// <summary>
/// A test-local loader: YAML reader plus the include and extends resolvers, like ProjectLoader without the other
/// stages (no interpolation, canonicalisation or path resolution).
/// </summary>
internal sealed class FixtureLoader
{
    private readonly Stack<string> _includeStack = new();
    private readonly Dictionary<string, MappingNode?> _rawCache = new(StringComparer.Ordinal);

    public DiagnosticBag Diagnostics { get; } = new();

    public List<IncludeRequest> Requests { get; } = [];

    public List<string> FilesLoadedForExtends { get; } = [];

    /// <summary>Loads a main file with include and extends applied; the project directory defaults to its folder.</summary>
    public MappingNode? Load(string file, string? projectDirectory = null)
    {
        var full = Path.GetFullPath(file);
        var document = ReadRaw(full);
        if (document is null)
        {
            return null;
        }

        document = IncludeResolver.Resolve(document, full, projectDirectory ?? Path.GetDirectoryName(full)!, LoadProject, Diagnostics);
        return ExtendsResolver.Resolve(document, full, LoadForExtends, Diagnostics);
    }

    public MappingNode? LoadForExtends(string path)
    {
        FilesLoadedForExtends.Add(path);
        if (!_rawCache.TryGetValue(path, out var cached))
        {
            cached = File.Exists(path) ? ReadRaw(path) : null;
            _rawCache[path] = cached;
        }

        return cached;
    }

    private MappingNode? ReadRaw(string path)
    {
        var docs = YamlTreeReader.Read(File.ReadAllText(path), path, LoadLimits.Default, Diagnostics);
        return docs.IsEmpty ? null : docs[0] as MappingNode;
    }

    private MappingNode? LoadProject(IncludeRequest request)
    {
        Requests.Add(request);
        var key = string.Join('|', request.Paths);
        if (_includeStack.Contains(key))
        {
            Diagnostics.Error(DiagnosticCodes.IncludeCycle, $"include cycle: {key}", request.Location);
            return null;
        }

        _includeStack.Push(key);
        try
        {
            MappingNode? merged = null;
            foreach (var path in request.Paths)
            {
                var document = Load(path, request.ProjectDirectory);
                if (document is not null)
                {
                    merged = merged is null ? document : ComposeMerger.Merge(merged, document, Diagnostics);
                }
            }

            return merged;
        }
        finally
        {
            _includeStack.Pop();
        }
    }
}
