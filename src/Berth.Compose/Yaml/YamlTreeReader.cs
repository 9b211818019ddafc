using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Compose.Yaml;

/// <summary>
/// Reads YAML text into <see cref="ComposeNode"/> trees: anchors and aliases (shared, never copied),
/// merge keys (<c>&lt;&lt;</c>), local tags kept for the merge stage, duplicate keys rejected, and the
/// <see cref="LoadLimits"/> enforced while reading so a hostile file cannot exhaust memory or stack.
/// </summary>
public static class YamlTreeReader
{
    private const string MergeKey = "<<";
    private const string StrTag = "tag:yaml.org,2002:str";

    /// <summary>Reads every document of <paramref name="text"/>. Returns an empty list when reading failed (see diagnostics).</summary>
    public static ImmutableArray<ComposeNode> Read(string text, string file, LoadLimits limits, DiagnosticBag diagnostics)
    {
        if (text.Length > limits.MaxDocumentBytes)
        {
            diagnostics.Error(
                DiagnosticCodes.LimitDocumentSize,
                $"file is {text.Length} bytes, more than the limit of {limits.MaxDocumentBytes}",
                new SourceLocation(file, 1, 1),
                hint: "split the project into several files with 'include'");
            return [];
        }

        var reader = new Reader(file, limits, diagnostics);
        try
        {
            return reader.ReadStream(text);
        }
        catch (ReadAbortedException)
        {
            return [];
        }
        catch (InvalidOperationException ex) when (ex.Source == "YamlDotNet")
        {
            // YamlDotNet's scanner throws this on some malformed input (found by fuzzing) instead of a YamlException.
            diagnostics.Error(
                DiagnosticCodes.YamlSyntax,
                "malformed YAML: the parser could not read past this point",
                new SourceLocation(file, (int)reader.LastMark.Line, (int)reader.LastMark.Column),
                hint: "check indentation, quoting and stray characters after this position");
            return [];
        }
        catch (YamlException ex)
        {
            diagnostics.Error(
                DiagnosticCodes.YamlSyntax,
                CleanMessage(ex.Message),
                new SourceLocation(file, (int)ex.Start.Line, (int)ex.Start.Column),
                hint: "check indentation and quoting around this position");
            return [];
        }
    }

    private static string CleanMessage(string message)
    {
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line: ...): "; the location is reported separately.
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(i + 3)..] : message;
    }

    private sealed class ReadAbortedException : Exception
    {
    }

    private sealed class Reader(string file, LoadLimits limits, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, ComposeNode> _anchors = new(StringComparer.Ordinal);
        private IParser _parser = null!;

        /// <summary>Where the last successfully read event started; used when the parser fails without a position.</summary>
        public Mark LastMark { get; private set; } = Mark.Empty;

        public ImmutableArray<ComposeNode> ReadStream(string text)
        {
            _parser = new Parser(new StringReader(text));
            var documents = ImmutableArray.CreateBuilder<ComposeNode>();
            _parser.Consume<StreamStart>();
            while (_parser.TryConsume<DocumentStart>(out var start))
            {
                _anchors.Clear();
                var root = _parser.Accept<DocumentEnd>(out _)
                    ? ScalarNode.Null(At(start.Start))
                    : ReadNode(depth: 0);
                _parser.Consume<DocumentEnd>();
                documents.Add(root);
            }

            _parser.Consume<StreamEnd>();
            return documents.ToImmutable();
        }

        private SourceLocation At(Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

        private ComposeNode ReadNode(int depth)
        {
            if (depth > limits.MaxDepth)
            {
                var current = _parser.Current!;
                Fail(DiagnosticCodes.LimitDepth, $"nesting is deeper than {limits.MaxDepth} levels", current.Start, "flatten the structure; Compose files never need this depth");
            }

            var evt = _parser.Consume<ParsingEvent>();
            LastMark = evt.Start;
            ComposeNode node = evt switch
            {
                AnchorAlias alias => ResolveAlias(alias),
                Scalar scalar => ReadScalar(scalar),
                SequenceStart seq => ReadSequence(seq, depth),
                MappingStart map => ReadMapping(map, depth),
                // YamlDotNet can emit an inconsistent event stream for malformed input (a lone CR before ':' was
                // found by fuzzing); report it as a syntax error instead of crashing.
                _ => Fail(DiagnosticCodes.YamlSyntax, "malformed YAML: a value is missing here", evt.Start, "check indentation, stray carriage returns and ':' characters around this position"),
            };

            if (node.Weight > limits.MaxExpandedNodes)
            {
                Fail(
                    DiagnosticCodes.LimitAliasExpansion,
                    $"document expands to more than {limits.MaxExpandedNodes} nodes through aliases",
                    evt.Start,
                    "this looks like an alias bomb (billion laughs); use fewer nested aliases");
            }

            if (evt is NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                _anchors[anchored.Anchor.Value] = node;
            }

            return node;
        }

        private ComposeNode ResolveAlias(AnchorAlias alias)
        {
            if (_anchors.TryGetValue(alias.Value.Value, out var target))
            {
                return target;
            }

            Fail(DiagnosticCodes.YamlSyntax, $"unknown anchor '{alias.Value.Value}' referenced", alias.Start, "define the anchor with '&name' before using '*name'");
            return null!;
        }

        private ScalarNode ReadScalar(Scalar scalar)
        {
            var location = At(scalar.Start);
            var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
            if (tag == StrTag)
            {
                return new ScalarNode(scalar.Value, ScalarKind.String, location, null, quoted: true);
            }

            if (tag is not null && tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal))
            {
                // !!int, !!bool …: resolve the text as that type would be; keep no tag.
                return ScalarNode.Plain(scalar.Value, location);
            }

            if (tag is not null && tag != "!")
            {
                return scalar.Style == ScalarStyle.Plain
                    ? ScalarNode.Plain(scalar.Value, location, tag)
                    : new ScalarNode(scalar.Value, ScalarKind.String, location, tag, quoted: true);
            }

            return scalar.Style == ScalarStyle.Plain && tag is null
                ? ScalarNode.Plain(scalar.Value, location)
                : new ScalarNode(scalar.Value, ScalarKind.String, location, null, quoted: true);
        }

        private SequenceNode ReadSequence(SequenceStart start, int depth)
        {
            var items = ImmutableArray.CreateBuilder<ComposeNode>();
            while (!_parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(depth + 1));
            }

            return new SequenceNode(items.ToImmutable(), At(start.Start), LocalTag(start.Tag));
        }

        private MappingNode ReadMapping(MappingStart start, int depth)
        {
            var entries = new List<MappingEntry>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var merged = new List<(MappingNode Source, SourceLocation At)>();

            while (!_parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(depth + 1);
                var value = ReadNode(depth + 1);
                if (keyNode is not ScalarNode key)
                {
                    diagnostics.Error(DiagnosticCodes.YamlSyntax, "mapping keys must be scalars", keyNode.Location, hint: "Compose files only use string keys");
                    continue;
                }

                if (key.Value == MergeKey && !key.Quoted && key.Tag is null)
                {
                    CollectMergeSources(value, key.Location, merged);
                    continue;
                }

                var name = key.AsString();
                if (key.Kind == ScalarKind.Null)
                {
                    key = ScalarNode.String(string.Empty, key.Location);
                }

                if (seen.TryGetValue(name, out var previous))
                {
                    diagnostics.Error(
                        DiagnosticCodes.DuplicateKey,
                        $"mapping key '{name}' already defined at line {entries[previous].Key.Location.Line}",
                        key.Location,
                        hint: "remove one of the two keys");
                    continue;
                }

                seen[name] = entries.Count;
                entries.Add(new MappingEntry(key, value));
            }

            // Merge keys: explicit keys win, then earlier sources in a '<<: [*a, *b]' list win over later ones.
            foreach (var (source, _) in merged)
            {
                foreach (var entry in source.Entries)
                {
                    if (seen.TryAdd(entry.Name, entries.Count))
                    {
                        entries.Add(entry);
                    }
                }
            }

            return new MappingNode([.. entries], At(start.Start), LocalTag(start.Tag));
        }

        private void CollectMergeSources(ComposeNode value, SourceLocation at, List<(MappingNode, SourceLocation)> merged)
        {
            switch (value)
            {
                case MappingNode map:
                    merged.Add((map, at));
                    break;
                case SequenceNode seq when seq.Items.All(i => i is MappingNode):
                    merged.AddRange(seq.Items.Select(i => ((MappingNode)i, at)));
                    break;
                default:
                    diagnostics.Error(DiagnosticCodes.InvalidMergeKey, "a merge key '<<' must refer to a mapping or a list of mappings", at, hint: "use '<<: *anchor' where the anchor names a mapping");
                    break;
            }
        }

        private static string? LocalTag(TagName tag) => tag.IsEmpty || tag.Value == "!" || tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) ? null : tag.Value;

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        private ComposeNode Fail(string code, string message, Mark mark, string hint)
        {
            diagnostics.Error(code, message, At(mark), hint: hint);
            throw new ReadAbortedException();
        }
    }
}
