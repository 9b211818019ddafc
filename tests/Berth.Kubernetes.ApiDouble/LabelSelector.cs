using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>A parsed labelSelector query (=, ==, !=, in, notin, exists, !exists), all terms ANDed.</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _terms = [];

    public static readonly LabelSelector Everything = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTerms(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                throw ApiException.BadRequest($"unable to parse requirement: found '', expected: identifier in \"{text}\"");
            }

            selector._terms.Add(ParseTerm(term, text));
        }

        return selector;
    }

    public bool Matches(JsonObject obj) => _terms.All(term => term(obj["metadata"]?["labels"] as JsonObject));

    private static Func<JsonObject?, bool> ParseTerm(string term, string text)
    {
        var lower = term.ToLowerInvariant();
        var notInAt = lower.IndexOf(" notin ", StringComparison.Ordinal);
        var inAt = lower.IndexOf(" in ", StringComparison.Ordinal);
        if (notInAt > 0)
        {
            var (key, values) = SetTerm(term, notInAt, " notin ".Length, text);
            return labels => Value(labels, key) is not { } v || !values.Contains(v);
        }

        if (inAt > 0)
        {
            var (key, values) = SetTerm(term, inAt, " in ".Length, text);
            return labels => Value(labels, key) is { } v && values.Contains(v);
        }

        var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEqual > 0)
        {
            var key = Key(term[..notEqual], text);
            var value = term[(notEqual + 2)..].Trim();
            return labels => Value(labels, key) != value;
        }

        var doubleEqual = term.IndexOf("==", StringComparison.Ordinal);
        var equal = term.IndexOf('=', StringComparison.Ordinal);
        if (doubleEqual > 0 || equal > 0)
        {
            var at = doubleEqual > 0 ? doubleEqual : equal;
            var key = Key(term[..at], text);
            var value = term[(at + (doubleEqual > 0 ? 2 : 1))..].Trim();
            return labels => Value(labels, key) == value;
        }

        if (term.StartsWith('!'))
        {
            var key = Key(term[1..], text);
            return labels => Value(labels, key) is null;
        }

        var existsKey = Key(term, text);
        return labels => Value(labels, existsKey) is not null;
    }

    private static (string Key, HashSet<string> Values) SetTerm(string term, int at, int operatorLength, string text)
    {
        var key = Key(term[..at], text);
        var rest = term[(at + operatorLength)..].Trim();
        if (!rest.StartsWith('(') || !rest.EndsWith(')'))
        {
            throw ApiException.BadRequest($"unable to parse requirement: found '{rest}', expected: '(' in \"{text}\"");
        }

        var values = rest[1..^1].Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
        return (key, values);
    }

    private static string Key(string raw, string text)
    {
        var key = raw.Trim();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '!' or '=' or ','))
        {
            throw ApiException.BadRequest($"unable to parse requirement: invalid label key \"{key}\" in \"{text}\"");
        }

        return key;
    }

    private static string? Value(JsonObject? labels, string key) =>
        labels is not null && labels.TryGetPropertyValue(key, out var value) && value is not null ? value.ToString() : null;

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
                default:
                    break;
            }
        }

        yield return text[start..];
    }
}
