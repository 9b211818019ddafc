using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using Berth.Compose.Diagnostics;
using Berth.Compose.Output;
using Berth.Compose.Validation;
using Berth.Compose.Yaml;
using Json.Schema;

namespace Berth.Compose.Tests.Validation;

/// <summary>
/// The precheck may only ever be stricter than the schema: when it accepts a document, JsonSchema.Net's
/// detailed evaluation must find nothing to report. Checked on the corpus and on mutated documents.
/// </summary>
public sealed class SchemaPrecheckTests(ITestOutputHelper output)
{
    private static EvaluationOptions Detailed() => new() { OutputFormat = OutputFormat.Hierarchical, EvaluateAs = SpecVersion.Draft7 };

    private static readonly ComposeNode[] Replacements =
    [
        ScalarNode.Int(3, SourceLocation.None),
        ScalarNode.String("bogus", SourceLocation.None),
        ScalarNode.Bool(true, SourceLocation.None),
        ScalarNode.Null(SourceLocation.None),
        new SequenceNode([ScalarNode.String("a", SourceLocation.None), ScalarNode.String("a", SourceLocation.None)], SourceLocation.None),
        new MappingNode([new MappingEntry(ScalarNode.String("zz", SourceLocation.None), ScalarNode.Int(1, SourceLocation.None))], SourceLocation.None),
        ScalarNode.String("${VAR}", SourceLocation.None),
        ScalarNode.Plain("1.5", SourceLocation.None),
    ];

    [Fact]
    public void Precheck_IsCompiledFromTheEmbeddedSchema()
    {
        Assert.NotNull(ComposeSchema.Instance.Precheck);
    }

    [Fact]
    public void Precheck_CompilesEveryRuleOfTheEmbeddedSchema()
    {
        // Rules are compiled as documents reach them; compiling all of them here proves none meets a keyword or a
        // reference the up-front scan let through.
        var precheck = SchemaPrecheck.TryCreate(SchemaDocument())!;
        Assert.True(precheck.CompileAll() > 500);
    }

    [Theory]
    [InlineData("""{"type": "object", "properties": {"a": {"not": {"type": "string"}}}}""")]
    [InlineData("""{"definitions": {"x": {"minLength": 2}}, "properties": {"a": {"$ref": "#/definitions/x"}}}""")]
    [InlineData("""{"properties": {"a": {"$ref": "#/definitions/missing"}}}""")]
    [InlineData("""{"items": [{"type": "string"}]}""")]
    [InlineData("""{"properties": {"a": {"type": "array", "items": {"oneOf": [{"type": "string"}, {"allOf": []}]}}}}""")]
    public void Precheck_IsNotCreated_WhenAnyReachableNodeUsesAnUnsupportedKeyword(string schema)
    {
        // Found before anything is compiled, even deep below a rule no document has reached yet.
        Assert.Null(SchemaPrecheck.TryCreate(JsonDocument.Parse(schema)));
    }

    [Fact]
    public void Precheck_UnreachableDefinitions_DoNotMatter()
    {
        // Definitions are only reached through $ref, as in the compiler; one nobody refers to is never checked.
        var precheck = SchemaPrecheck.TryCreate(JsonDocument.Parse("""{"definitions": {"x": {"not": {}}}, "properties": {"a": {"type": "string"}}}"""));
        Assert.NotNull(precheck);
        Assert.False(precheck.IsValid(Read("a: {b: 1}")!));
        Assert.True(precheck.IsValid(Read("a: text")!));
    }

    [Fact]
    public async Task Precheck_FreshInstance_GivesTheSameAnswersFromManyThreadsAtOnce()
    {
        // Each thread's first documents compile rules while others read them (the Stack API server validates
        // concurrently); every answer must equal the answer of a precheck compiled up front.
        var corpus = SharedCorpus.RequireRoot();
        var documents = SchemaCorpusTests.CorpusFiles()
            .Select(d => Read(File.ReadAllText(Path.Combine(corpus, d.Data))))
            .OfType<ComposeNode>()
            .Concat([Read("services: {web: {image: x, ports: [80, 80]}}")!, Read("services: {web: {image: x, pull_policy: sometimes}}")!])
            .ToArray();
        var reference = SchemaPrecheck.TryCreate(SchemaDocument())!;
        reference.CompileAll();
        var expected = documents.Select(d => reference.IsValid(d)).ToArray();
        Assert.Contains(false, expected);
        Assert.Contains(true, expected);

        for (var round = 0; round < 5; round++)
        {
            var fresh = SchemaPrecheck.TryCreate(SchemaDocument())!;
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(offset => Task.Run(() =>
                Enumerable.Range(0, documents.Length).Select(i => (i + offset) % documents.Length).Select(i => (i, fresh.IsValid(documents[i]))).ToArray(), TestContext.Current.CancellationToken)));
            foreach (var (index, valid) in answers.SelectMany(a => a))
            {
                Assert.Equal(expected[index], valid);
            }
        }
    }

    [Fact]
    public void Pruning_IsSafeForTheEmbeddedSchema()
    {
        // No top-level section counts or requires entries, so reporting on the rejected entries alone is exact.
        Assert.True(SchemaPruner.IsSafeFor(ComposeSchema.Instance));
    }

    [Fact]
    public void Precheck_AcceptsEveryValidCorpusFile()
    {
        var root = SharedCorpus.RequireRoot();
        var precheck = ComposeSchema.Instance.Precheck!;
        var checkedFiles = 0;
        foreach (var data in SchemaCorpusTests.CorpusFiles())
        {
            var relative = data.Data;
            var document = Read(File.ReadAllText(Path.Combine(root, relative)));
            if (document is null || relative.EndsWith("extends/base.yaml", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.True(precheck.IsValid(document), relative);
            checkedFiles++;
        }

        Assert.True(checkedFiles > 50);
    }

    [Fact]
    public void Precheck_NeverAcceptsWhatTheSchemaRejects_OnMutatedFullExample()
    {
        var root = SharedCorpus.RequireRoot();
        var document = Read(File.ReadAllText(Path.Combine(root, "compose-go/full-example-2026-01/full-example.yml")))!;
        var count = CountNodes(document);
        var (accepted, rejected) = (0, 0);
        for (var target = 1; target < count; target++)
        {
            // Two replacements per node, rotating, keep the run short while covering every kind of value.
            foreach (var replacement in new[] { Replacements[target % Replacements.Length], Replacements[(target * 3 + 1) % Replacements.Length] })
            {
                var counter = 0;
                var mutated = Replace(document, target, replacement, ref counter);
                var precheckValid = ComposeSchema.Instance.Precheck!.IsValid(mutated);
                var failures = DetailedFailures(mutated);
                Assert.False(precheckValid && failures.Count > 0, $"precheck accepted node {target} := {replacement}: {string.Join("; ", failures.Select(f => $"{f.Pointer} {f.Message}"))}");
                (accepted, rejected) = precheckValid ? (accepted + 1, rejected) : (accepted, rejected + 1);
            }
        }

        output.WriteLine($"{count} nodes mutated: precheck accepted {accepted}, rejected {rejected}");
    }

    [Theory]
    [InlineData("services: {web: {image: x, ports: [80, 80]}}")]
    [InlineData("services: {web: {image: x, ports: [{target: 80}, {target: 80}]}}")]
    [InlineData("services: {web: {image: x, oom_score_adj: -2000}}")]
    [InlineData("services: {web: {image: x, ulimits: {nofile: {soft: 1}}}}")]
    [InlineData("services: {web: {image: x, pull_policy: sometimes}}")]
    [InlineData("services: {web: {image: x, gpus: some}}")]
    [InlineData("services: {web: {image: x, env_file: [{required: true}]}}")]
    [InlineData("services: {web: {image: x, labels: {'': a}}}")]
    [InlineData("models: {m: {model: x, context_size: 1.5}}")]
    [InlineData("include: [{path: [a, a]}]")]
    public void Precheck_RejectsWhatTheSchemaRejects(string yaml)
    {
        var document = Read(yaml)!;
        Assert.NotEmpty(DetailedFailures(document));
        Assert.False(ComposeSchema.Instance.Precheck!.IsValid(document));
    }

    /// <summary>The schema Berth embeds, as a fresh document (the shared instance's rules are compiled already).</summary>
    private static JsonDocument SchemaDocument() => JsonDocument.Parse(ComposeSpecJson.Utf8.ToArray());

    private static ComposeNode? Read(string yaml)
    {
        var bag = new DiagnosticBag();
        var documents = YamlTreeReader.Read(yaml, "compose.yaml", LoadLimits.Default, bag);
        return documents.IsEmpty || documents[0] is not MappingNode ? null : documents[0];
    }

    private static List<SchemaFailure> DetailedFailures(ComposeNode document)
    {
        var results = ComposeSchema.Instance.Evaluate(ComposeNodeJson.ToJsonNode(document), Detailed());
        return results.IsValid ? [] : SchemaFailureCollector.Reduce(new SchemaFailureCollector(ComposeSchema.Instance, document).Collect(results));
    }

    private static int CountNodes(ComposeNode node) => 1 + node switch
    {
        MappingNode map => map.Entries.Sum(e => CountNodes(e.Value)),
        SequenceNode seq => seq.Items.Sum(CountNodes),
        _ => 0,
    };

    /// <summary>Replaces the node with pre-order number <paramref name="target"/> (the root is 0).</summary>
    private static ComposeNode Replace(ComposeNode node, int target, ComposeNode replacement, ref int counter)
    {
        if (counter++ == target)
        {
            return replacement;
        }

        switch (node)
        {
            case MappingNode map:
                var entries = ImmutableArray.CreateBuilder<MappingEntry>(map.Count);
                foreach (var entry in map.Entries)
                {
                    entries.Add(new MappingEntry(entry.Key, Replace(entry.Value, target, replacement, ref counter)));
                }

                return new MappingNode(entries.MoveToImmutable(), map.Location);
            case SequenceNode seq:
                var items = ImmutableArray.CreateBuilder<ComposeNode>(seq.Count);
                foreach (var item in seq.Items)
                {
                    items.Add(Replace(item, target, replacement, ref counter));
                }

                return new SequenceNode(items.MoveToImmutable(), seq.Location);
            default:
                return node;
        }
    }
}
