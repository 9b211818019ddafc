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
        catch (YamlException ex)
        {
            // A YamlException made without a position carries Mark.Empty (line 0); the last event read is the best place then.
            var at = ex.Start.Line > 0 ? ex.Start : reader.LastMark;
            diagnostics.Error(
                DiagnosticCodes.YamlSyntax,
                CleanMessage(ex.Message),
                Location(file, at),
                hint: "check indentation and quoting around this position");
            return [];
        }
        catch (LibraryFailureException)
        {
            // YamlDotNet throws InvalidOperationException, ArgumentException, ... instead of a YamlException on some
            // malformed input (found by fuzzing: '{' left open at the end of the input); its message is no help to
            // users, so say where it stopped: inside the innermost open flow collection, or after the last value read.
            var inside = reader.OpenFlow is { } open
                ? $" (inside the flow {(open.Mapping ? "mapping '{'" : "sequence '['")} opened at line {open.Start.Line}, column {open.Start.Column})"
                : string.Empty;
            var message = "malformed YAML: the parser could not read past this point" + inside;
            var at = reader.StoppedAt.Line > 0 ? reader.StoppedAt : reader.LastMark;
            const string hint = "check indentation, quoting, stray characters, and that every '{' and '[' is closed";
            diagnostics.Error(DiagnosticCodes.YamlSyntax, message, Location(file, at), hint: hint);
            return [];
        }
    }

    private static SourceLocation Location(string file, Mark mark) => new(file, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private static string CleanMessage(string message)
    {
        // YamlDotNet prefixes "(Line: x, Col: y, Idx: z) - (Line: ...): "; the location is reported separately.
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(i + 3)..] : message;
    }

    private sealed class ReadAbortedException : Exception
    {
    }

    /// <summary>YamlDotNet failed with something other than a <see cref="YamlException"/>.</summary>
    private sealed class LibraryFailureException(Exception inner) : Exception(inner.Message, inner)
    {
    }

    private sealed class Reader(string file, LoadLimits limits, DiagnosticBag diagnostics)
    {
        private readonly Dictionary<string, ComposeNode> _anchors = new(StringComparer.Ordinal);
        private IParser _parser = null!;

        /// <summary>Where the last successfully read event started; used when the parser fails without a position.</summary>
        public Mark LastMark { get; private set; } = Mark.Empty;

        /// <summary>Where the scanner stopped reading (the failure point when the parser throws).</summary>
        public Mark StoppedAt => _scanner?.CurrentPosition ?? Mark.Empty;

        private Scanner? _scanner;

        /// <summary>The innermost flow collection ('{' or '[') being read, if any.</summary>
        public (Mark Start, bool Mapping)? OpenFlow => _openFlows.Count > 0 ? _openFlows.Peek() : null;

        private readonly Stack<(Mark Start, bool Mapping)> _openFlows = new();

        public ImmutableArray<ComposeNode> ReadStream(string text)
        {
            _scanner = new Scanner(new StringReader(text));
            _parser = new Parser(_scanner);
            var documents = ImmutableArray.CreateBuilder<ComposeNode>();
            Consume<StreamStart>();
            while (TryConsume<DocumentStart>(out var start))
            {
                _anchors.Clear();
                var root = Accept<DocumentEnd>()
                    ? ScalarNode.Null(At(start.Start))
                    : ReadNode(depth: 0);
                Consume<DocumentEnd>();
                documents.Add(root);
            }

            Consume<StreamEnd>();
            return documents.ToImmutable();
        }

        private SourceLocation At(Mark mark) => Location(file, mark);

        // Every call into YamlDotNet goes through these four, so whatever it throws on malformed input becomes a
        // syntax error; exceptions of the reader's own code are not wrapped and stay bugs.
        private T Consume<T>()
            where T : ParsingEvent
        {
            try
            {
                return _parser.Consume<T>();
            }
            catch (Exception ex) when (IsLibraryFailure(ex))
            {
                throw new LibraryFailureException(ex);
            }
        }

        private bool TryConsume<T>([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T evt)
            where T : ParsingEvent
        {
            try
            {
                return _parser.TryConsume<T>(out evt);
            }
            catch (Exception ex) when (IsLibraryFailure(ex))
            {
                throw new LibraryFailureException(ex);
            }
        }

        private bool Accept<T>()
            where T : ParsingEvent
        {
            try
            {
                return _parser.Accept<T>(out _);
            }
            catch (Exception ex) when (IsLibraryFailure(ex))
            {
                throw new LibraryFailureException(ex);
            }
        }

        private Mark CurrentMark()
        {
            try
            {
                return _parser.Current?.Start ?? LastMark;
            }
            catch (Exception ex) when (IsLibraryFailure(ex))
            {
                throw new LibraryFailureException(ex);
            }
        }

        private static bool IsLibraryFailure(Exception ex) => ex is not (YamlException or OutOfMemoryException or OperationCanceledException);

        private ComposeNode ReadNode(int depth)
        {
            if (depth > limits.MaxDepth)
            {
                Fail(DiagnosticCodes.LimitDepth, $"nesting is deeper than {limits.MaxDepth} levels", CurrentMark(), "flatten the structure; Compose files never need this depth");
            }

            var evt = Consume<ParsingEvent>();
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
            var flow = start.Style == SequenceStyle.Flow;
            if (flow)
            {
                _openFlows.Push((start.Start, false));
            }

            while (!TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(depth + 1));
            }

            if (flow)
            {
                _openFlows.Pop();
            }

            return new SequenceNode(items.ToImmutable(), At(start.Start), LocalTag(start.Tag));
        }

        private MappingNode ReadMapping(MappingStart start, int depth)
        {
            var entries = new List<MappingEntry>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var merged = new List<(MappingNode Source, SourceLocation At)>();
            var flow = start.Style == MappingStyle.Flow;
            if (flow)
            {
                _openFlows.Push((start.Start, true));
            }

            while (!TryConsume<MappingEnd>(out _))
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

            if (flow)
            {
                _openFlows.Pop();
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
