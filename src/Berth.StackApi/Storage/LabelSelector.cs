using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Berth.StackApi.Storage;

/// <summary>
/// A label selector in Kubernetes' text syntax (k8s.io/apimachinery pkg/labels/selector.go): comma-separated
/// requirements <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>,
/// <c>k&gt;1</c>, <c>k&lt;1</c>. The empty selector matches everything.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly ImmutableArray<Requirement> _requirements;

    private LabelSelector(ImmutableArray<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.IsEmpty;

    /// <summary>Parses <paramref name="text"/>; a syntax error is a BadRequest worded as labels.Parse's.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var parser = new Parser(Lex(text));
        return new LabelSelector(parser.ParseRequirements());
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Matches the labels of a stored object (metadata.labels).</summary>
    public bool Matches(JsonObject obj) => IsEmpty || Matches(LabelsOf(obj));

    internal static Dictionary<string, string> LabelsOf(JsonObject obj)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"] is JsonObject metadata && metadata["labels"] is JsonObject map)
        {
            foreach (var (key, value) in map)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    labels[key] = s;
                }
            }
        }

        return labels;
    }

    private enum Op
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    }

    private sealed record Requirement(string Key, Op Op, ImmutableArray<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Op.Equals or Op.In => has && Values.Contains(value!),
                Op.NotEquals or Op.NotIn => !has || !Values.Contains(value!),
                Op.Exists => has,
                Op.DoesNotExist => !has,
                Op.GreaterThan or Op.LessThan => has
                    && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                    && (Op == Op.GreaterThan ? n > long.Parse(Values[0], CultureInfo.InvariantCulture) : n < long.Parse(Values[0], CultureInfo.InvariantCulture)),
                _ => false,
            };
        }
    }

    private enum TokenKind
    {
        Identifier,
        In,
        NotIn,
        Not,
        Equals,
        DoubleEquals,
        NotEquals,
        GreaterThan,
        LessThan,
        OpenParen,
        CloseParen,
        Comma,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    // The lexer of selector.go: whitespace separates, these characters are operators, anything else is identifier.
    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            switch (c)
            {
                case '(':
                    tokens.Add(new Token(TokenKind.OpenParen, "("));
                    i++;
                    continue;
                case ')':
                    tokens.Add(new Token(TokenKind.CloseParen, ")"));
                    i++;
                    continue;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ","));
                    i++;
                    continue;
                case '>':
                    tokens.Add(new Token(TokenKind.GreaterThan, ">"));
                    i++;
                    continue;
                case '<':
                    tokens.Add(new Token(TokenKind.LessThan, "<"));
                    i++;
                    continue;
                case '=':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        tokens.Add(new Token(TokenKind.DoubleEquals, "=="));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Equals, "="));
                        i++;
                    }

                    continue;
                case '!':
                    if (i + 1 < text.Length && text[i + 1] == '=')
                    {
                        tokens.Add(new Token(TokenKind.NotEquals, "!="));
                        i += 2;
                    }
                    else
                    {
                        tokens.Add(new Token(TokenKind.Not, "!"));
                        i++;
                    }

                    continue;
                default:
                    break;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && "(),><=!".IndexOf(text[i], StringComparison.Ordinal) < 0)
            {
                i++;
            }

            var word = text[start..i];
            tokens.Add(word switch
            {
                "in" => new Token(TokenKind.In, word),
                "notin" => new Token(TokenKind.NotIn, word),
                _ => new Token(TokenKind.Identifier, word),
            });
        }

        tokens.Add(new Token(TokenKind.End, string.Empty));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        private Token Peek => tokens[_position];

        private Token Next() => tokens[_position++];

        public ImmutableArray<Requirement> ParseRequirements()
        {
            var requirements = ImmutableArray.CreateBuilder<Requirement>();
            while (true)
            {
                var token = Peek;
                if (token.Kind is TokenKind.Identifier or TokenKind.Not)
                {
                    requirements.Add(ParseRequirement());
                    var after = Next();
                    if (after.Kind == TokenKind.End)
                    {
                        return requirements.ToImmutable();
                    }

                    if (after.Kind != TokenKind.Comma)
                    {
                        throw Fail($"found '{after.Text}', expected: ',' or 'end of string'");
                    }

                    if (Peek.Kind is not (TokenKind.Identifier or TokenKind.Not))
                    {
                        throw Fail($"found '{Peek.Text}', expected: identifier after ','");
                    }

                    continue;
                }

                if (token.Kind == TokenKind.End)
                {
                    return requirements.ToImmutable();
                }

                throw Fail($"found '{token.Text}', expected: !, identifier, or 'end of string'");
            }
        }

        private Requirement ParseRequirement()
        {
            var negated = false;
            if (Peek.Kind == TokenKind.Not)
            {
                Next();
                negated = true;
            }

            var keyToken = Next();
            if (keyToken.Kind != TokenKind.Identifier)
            {
                throw Fail($"found '{keyToken.Text}', expected: identifier");
            }

            var key = keyToken.Text;
            ValidateKey(key);
            if (negated)
            {
                return new Requirement(key, Op.DoesNotExist, []);
            }

            var opToken = Peek;
            if (opToken.Kind is TokenKind.End or TokenKind.Comma)
            {
                return new Requirement(key, Op.Exists, []);
            }

            Next();
            switch (opToken.Kind)
            {
                case TokenKind.Equals:
                case TokenKind.DoubleEquals:
                case TokenKind.NotEquals:
                {
                    var value = ParseSingleValue();
                    return new Requirement(key, opToken.Kind == TokenKind.NotEquals ? Op.NotEquals : Op.Equals, [value]);
                }

                case TokenKind.GreaterThan:
                case TokenKind.LessThan:
                {
                    var value = ParseSingleValue();
                    if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    {
                        throw Fail($"for 'Gt', 'Lt' operators, the value must be an integer");
                    }

                    return new Requirement(key, opToken.Kind == TokenKind.GreaterThan ? Op.GreaterThan : Op.LessThan, [value]);
                }

                case TokenKind.In:
                case TokenKind.NotIn:
                    return new Requirement(key, opToken.Kind == TokenKind.In ? Op.In : Op.NotIn, ParseValueSet());
                default:
                    throw Fail($"found '{opToken.Text}', expected: {string.Join(", ", "'='", "'!='", "'=='", "'in'", "'notin'")}");
            }
        }

        private string ParseSingleValue()
        {
            var token = Peek;
            if (token.Kind is TokenKind.End or TokenKind.Comma)
            {
                return ValidateValue(string.Empty);
            }

            Next();
            if (token.Kind is TokenKind.Identifier or TokenKind.In or TokenKind.NotIn)
            {
                return ValidateValue(token.Text);
            }

            throw Fail($"found '{token.Text}', expected: identifier");
        }

        private ImmutableArray<string> ParseValueSet()
        {
            var open = Next();
            if (open.Kind != TokenKind.OpenParen)
            {
                throw Fail($"found '{open.Text}', expected: '('");
            }

            var values = ImmutableArray.CreateBuilder<string>();
            while (true)
            {
                var token = Next();
                switch (token.Kind)
                {
                    case TokenKind.Identifier:
                    case TokenKind.In:
                    case TokenKind.NotIn:
                        values.Add(ValidateValue(token.Text));
                        var after = Next();
                        if (after.Kind == TokenKind.CloseParen)
                        {
                            return values.ToImmutable();
                        }

                        if (after.Kind != TokenKind.Comma)
                        {
                            throw Fail($"found '{after.Text}', expected: ',' or ')'");
                        }

                        break;
                    case TokenKind.Comma:
                        values.Add(string.Empty);
                        break;
                    case TokenKind.CloseParen:
                        // "k in ()" and "k in (a,)": selector.go treats an empty slot as the empty value.
                        if (values.Count == 0 || tokens[_position - 2].Kind == TokenKind.Comma)
                        {
                            values.Add(string.Empty);
                        }

                        return values.ToImmutable();
                    default:
                        throw Fail($"found '{token.Text}', expected: ',', ')' or identifier");
                }
            }
        }
    }

    private static void ValidateKey(string key)
    {
        // A qualified name: optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters.
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        var prefix = slash < 0 ? null : key[..slash];
        if (name.Length is 0 or > 63 || !QualifiedNamePart().IsMatch(name)
            || (prefix is not null && (prefix.Length is 0 or > 253 || !Subdomain().IsMatch(prefix))))
        {
            throw Fail($"key: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        }
    }

    private static string ValidateValue(string value)
    {
        if (value.Length > 63 || (value.Length > 0 && !QualifiedNamePart().IsMatch(value)))
        {
            throw Fail($"values[0][value]: Invalid value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        }

        return value;
    }

    private static StoreException Fail(string detail)
        => new(StoreErrorKind.BadRequest, new StringBuilder("unable to parse requirement: ").Append(detail).ToString());

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
