using Berth.Compose.Diagnostics;
using Berth.Compose.Validation;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Validation;

/// <summary>Every valid Compose file of the shared corpus passes the schema, read raw (not interpolated).</summary>
public sealed class SchemaCorpusTests
{
    /// <summary>Corpus files that really are schema-invalid, with the reason; they must produce errors.</summary>
    private static readonly Dictionary<string, string> KnownInvalid = new(StringComparer.Ordinal)
    {
        // compose-go loads extended files with SkipValidation ("we validate the merge result"), and its
        // extends tests rely on that: this file declares `nil:` (a null service), which the schema rejects.
        ["compose-go/testdata-head/loader/testdata/extends/base.yaml"] = "services.nil is null; the schema requires a mapping (compose-go never validates extended files on their own)",
    };

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        if (SharedCorpus.Root is not { } root)
        {
            data.Add("<corpus missing>");
            return data;
        }

        foreach (var file in Select(root))
        {
            data.Add(Path.GetRelativePath(root, file).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Validate_CorpusFile_HasNoSchemaErrors(string relativePath)
    {
        var root = SharedCorpus.RequireRoot();
        var path = Path.Combine(root, relativePath);
        var bag = new DiagnosticBag();
        var documents = YamlTreeReader.Read(File.ReadAllText(path), relativePath, LoadLimits.Default, bag);
        Assert.False(bag.HasErrors, string.Join('\n', bag.ToImmutable()));
        foreach (var document in documents.Where(d => d is MappingNode))
        {
            SchemaValidator.Validate(document, bag);
        }

        var errors = bag.ToImmutable().Where(d => d.Severity == Severity.Error).ToList();
        if (KnownInvalid.TryGetValue(relativePath, out var reason))
        {
            Assert.True(errors.Count > 0, $"expected schema errors ({reason})");
            return;
        }

        Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => $"{e} hint: {e.Hint}")));
    }

    private static IEnumerable<string> Select(string root)
    {
        IEnumerable<string> Files(string folder, string pattern, SearchOption option = SearchOption.TopDirectoryOnly)
        {
            var full = Path.Combine(root, folder);
            return Directory.Exists(full) ? Directory.EnumerateFiles(full, pattern, option) : [];
        }

        var awesome = Path.Combine(root, "awesome-compose");
        var awesomeFiles = Directory.Exists(awesome)
            ? Directory.EnumerateDirectories(awesome).SelectMany(d => Directory.EnumerateFiles(d, "*.y*ml"))
                .Where(f => Path.GetFileName(f).StartsWith("compose.", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal))
            : [];
        var kompose = Path.Combine(root, "kompose");
        var komposeFiles = Directory.Exists(kompose)
            ? Directory.EnumerateDirectories(kompose).SelectMany(d => Directory.EnumerateFiles(d, "compose*.y*ml"))
            : [];

        return awesomeFiles
            .Concat(Files("compose-go/full-example-2026-01", "full-example.yml"))
            .Concat(Files("docker-cli-stack-loader", "full-example.yml"))
            .Concat(komposeFiles)
            .Concat(Files("compose-go/testdata-head", "*.yaml", SearchOption.AllDirectories))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }
}
