using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Interpolation;

/// <summary>
/// Compose variable interpolation ($VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, ${VAR?err},
/// ${VAR:+alt}, ${VAR+alt}, nested, $$) over every scalar value of a tree (keys are not interpolated).
/// </summary>
public static class Interpolator
{
    /// <summary>
    /// Interpolates every scalar value. Plain scalars are re-resolved after substitution (so
    /// <c>replicas: ${N}</c> with N=3 becomes the integer 3); quoted ones stay strings.
    /// Errors (syntax, required variables) are reported with the scalar's location and YAML path.
    /// </summary>
    /// <remarks>
    /// Nodes whose subtree holds no substitution are returned as the same object, so an untouched file costs
    /// one scan of its strings and no allocation of nodes.
    /// </remarks>
    public static ComposeNode Interpolate(ComposeNode node, Func<string, string?> lookup, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return new TreeWalker(lookup, diagnostics).Visit(node);
    }

    /// <summary>
    /// Substitutes variables in one string with Compose's rules. Unset variables become empty strings.
    /// Returns false with an error message for malformed templates and missing required variables.
    /// </summary>
    public static bool TrySubstitute(string template, Func<string, string?> lookup, out string result, out string? error)
    {
        var ok = TrySubstitute(template, lookup, unsetVariable: null, out result, out var failure);
        error = failure?.Message;
        return ok;
    }

    /// <summary>
    /// Substitutes variables in one string, calling <paramref name="unsetVariable"/> for each reference to an
    /// unset variable that has no default (so callers can warn the way <c>docker compose</c> does).
    /// </summary>
    public static bool TrySubstitute(
        string template,
        Func<string, string?> lookup,
        Action<string>? unsetVariable,
        out string result,
        out InterpolationError? error)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(lookup);
        return TemplateSubstitution.TrySubstitute(template, lookup, unsetVariable, out result, out error);
    }

    /// <summary>
    /// The type a plain scalar gets after substitution. Mostly YAML's own resolution, with two exceptions so that
    /// substituted text is never silently changed: a result that reads as null (empty, <c>~</c>, <c>null</c>) stays
    /// that string, because compose-go substitutes into strings and <c>FOO: ${UNSET}</c> means "" there, not a
    /// key-only entry; and an integer whose canonical spelling differs from the text (<c>02134</c>, <c>0x1F</c>,
    /// <c>1_000</c>, <c>+3</c>) stays a string, so a zip code or file mode read from the environment keeps its digits.
    /// </summary>
    internal static ScalarNode Reresolve(ScalarNode original, string text)
    {
        if (original.Quoted)
        {
            return original.WithValue(text, ScalarKind.String);
        }

        var resolved = ScalarNode.Plain(text, original.Location, original.Tag);
        return resolved.Kind switch
        {
            ScalarKind.Null => new ScalarNode(text, ScalarKind.String, original.Location, original.Tag),
            ScalarKind.Int when !string.Equals(resolved.Value, text, StringComparison.Ordinal)
                => new ScalarNode(text, ScalarKind.String, original.Location, original.Tag),
            _ => resolved,
        };
    }

    private sealed class TreeWalker(Func<string, string?> lookup, DiagnosticBag diagnostics)
    {
        private readonly List<PathSegment> _path = [];
        private Dictionary<ComposeNode, ComposeNode>? _memo;
        private ScalarNode? _current;
        private int _reported;

        public ComposeNode Visit(ComposeNode node)
        {
            if (node is ScalarNode scalar)
            {
                return VisitScalar(scalar);
            }

            if (_memo is not null && _memo.TryGetValue(node, out var done))
            {
                return done;
            }

            var reportedBefore = _reported;
            ComposeNode result = node switch
            {
                MappingNode mapping => VisitMapping(mapping),
                SequenceNode sequence => VisitSequence(sequence),
                _ => node,
            };

            // A subtree reached again through an alias gets the same result, and its diagnostics are not repeated
            // under a second path. Unchanged, quiet subtrees are not remembered, so an untouched file allocates
            // nothing; walking them again costs one scan per scalar, bounded by the reader's alias-expansion limit.
            if (!ReferenceEquals(result, node) || _reported != reportedBefore)
            {
                (_memo ??= new Dictionary<ComposeNode, ComposeNode>(ReferenceEqualityComparer.Instance))[node] = result;
            }

            return result;
        }

        private ComposeNode VisitScalar(ScalarNode scalar)
        {
            var text = scalar.Value;
            if (scalar.Kind != ScalarKind.String || !text.Contains('$', StringComparison.Ordinal))
            {
                return scalar;
            }

            // Anchored scalars are shared too: substitute (and report) them once.
            if (_memo is not null && _memo.TryGetValue(scalar, out var done))
            {
                return done;
            }

            _current = scalar;
            ComposeNode replacement;
            if (!TemplateSubstitution.TrySubstitute(text, lookup, WarnUnset, out var result, out var error))
            {
                var hint = error!.Kind == InterpolationErrorKind.Syntax
                    ? "escape a literal '$' as '$$'"
                    : "set the variable in the environment or in .env";
                var code = error.Kind == InterpolationErrorKind.Syntax ? DiagnosticCodes.InterpolationSyntax : DiagnosticCodes.RequiredVariable;
                diagnostics.Error(code, error.Message, scalar.Location, FormatPath(), hint);
                _reported++;
                replacement = scalar;
            }
            else
            {
                replacement = string.Equals(result, text, StringComparison.Ordinal) ? scalar : Reresolve(scalar, result);
            }

            (_memo ??= new Dictionary<ComposeNode, ComposeNode>(ReferenceEqualityComparer.Instance))[scalar] = replacement;
            return replacement;
        }

        private void WarnUnset(string name)
        {
            UnsetVariableWarnings.Report(diagnostics, name, _current!.Location, FormatPath());
            _reported++;
        }

        private MappingNode VisitMapping(MappingNode mapping)
        {
            var entries = mapping.Entries;
            ImmutableArray<MappingEntry>.Builder? changed = null;
            for (var i = 0; i < entries.Length; i++)
            {
                var entry = entries[i];
                _path.Add(new PathSegment(entry.Key.Value, -1));
                var value = Visit(entry.Value);
                _path.RemoveAt(_path.Count - 1);
                if (changed is null && !ReferenceEquals(value, entry.Value))
                {
                    changed = ImmutableArray.CreateBuilder<MappingEntry>(entries.Length);
                    for (var j = 0; j < i; j++)
                    {
                        changed.Add(entries[j]);
                    }
                }

                changed?.Add(ReferenceEquals(value, entry.Value) ? entry : new MappingEntry(entry.Key, value));
            }

            return changed is null ? mapping : new MappingNode(changed.MoveToImmutable(), mapping.Location, mapping.Tag);
        }

        private SequenceNode VisitSequence(SequenceNode sequence)
        {
            var items = sequence.Items;
            ImmutableArray<ComposeNode>.Builder? changed = null;
            for (var i = 0; i < items.Length; i++)
            {
                _path.Add(new PathSegment(null, i));
                var item = Visit(items[i]);
                _path.RemoveAt(_path.Count - 1);
                if (changed is null && !ReferenceEquals(item, items[i]))
                {
                    changed = ImmutableArray.CreateBuilder<ComposeNode>(items.Length);
                    for (var j = 0; j < i; j++)
                    {
                        changed.Add(items[j]);
                    }
                }

                changed?.Add(item);
            }

            return changed is null ? sequence : new SequenceNode(changed.MoveToImmutable(), sequence.Location, sequence.Tag);
        }

        /// <summary>The YAML path of the node being visited (<c>services.web.ports[0]</c>); built only for diagnostics.</summary>
        private string? FormatPath()
        {
            if (_path.Count == 0)
            {
                return null;
            }

            var builder = new StringBuilder();
            foreach (var segment in _path)
            {
                if (segment.Key is null)
                {
                    builder.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                    continue;
                }

                if (builder.Length > 0)
                {
                    builder.Append('.');
                }

                builder.Append(segment.Key);
            }

            return builder.ToString();
        }
    }

    private readonly record struct PathSegment(string? Key, int Index);
}
