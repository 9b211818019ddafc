using System.Globalization;
using System.Text;

namespace Berth.Cli.Output;

/// <summary>
/// docker's <c>--format</c> for listings: <c>table</c> (the command's default table), <c>json</c> (one object per row,
/// keys sorted, as docker's <c>{{json .}}</c>), <c>table TEMPLATE</c> (aligned columns with a header derived from the
/// field names) and a Go template. Only the subset docker's common usage needs is implemented: text, field references
/// (<c>{{.Name}}</c>), <c>{{.}}</c>, pipes and docker's formatter functions json, lower, upper, title, truncate and
/// pad, <c>{{-</c>/<c>-}}</c> trimming, and the <c>\t</c>/<c>\n</c> escapes. Rows are field name → text
/// (no reflection: the binary is Native AOT). Unknown fields and functions are rejected when the format is parsed.
/// </summary>
internal sealed class GoTemplateFormat
{
    private readonly IReadOnlyList<Node> _nodes;

    private GoTemplateFormat(IReadOnlyList<Node> nodes, bool table)
    {
        _nodes = nodes;
        IsTable = table;
    }

    /// <summary>Aligned columns with a header (docker indents older tasks only in this form).</summary>
    public bool IsTable { get; }

    /// <summary>Parses <paramref name="format"/> against the listing's fields; the error is one line naming the problem.</summary>
    /// <param name="format">The user's value of --format (null or empty: table).</param>
    /// <param name="defaultTable">The command's table template, used for <c>table</c>, e.g. <c>{{.Name}}\t{{.Services}}</c>.</param>
    /// <param name="fields">Every field a row of this listing has.</param>
    public static (GoTemplateFormat? Format, string? Error) Parse(string? format, string defaultTable, IReadOnlyCollection<string> fields)
    {
        ArgumentNullException.ThrowIfNull(defaultTable);
        ArgumentNullException.ThrowIfNull(fields);
        format ??= "table";
        var table = format.StartsWith("table", StringComparison.Ordinal);
        var text = format == "table" || format.Trim().Length == 0 ? defaultTable
            : format == "json" ? "{{json .}}"
            : table ? format["table".Length..]
            : format;
        if (format.Trim().Length == 0)
        {
            table = true;
        }

        // As docker: surrounding blanks are dropped and the \t and \n escapes become tab and newline.
        text = text.Trim(' ').Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
        try
        {
            var nodes = new Parser(text, fields).Parse();
            return (new GoTemplateFormat(nodes, table), null);
        }
        catch (FormatException e)
        {
            return (null, $"invalid --format: template: {e.Message}");
        }
    }

    /// <summary>Writes the rows: table with a header line and aligned columns, otherwise one template output per line.</summary>
    public void Write(TextWriter output, IEnumerable<IReadOnlyDictionary<string, string>> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            Render(text, row, header: false);
            text.Append('\n');
        }

        if (!IsTable)
        {
            output.Write(text.ToString());
            return;
        }

        var header = new StringBuilder();
        Render(header, null, header: true);
        var lines = (header + "\n" + text).Split('\n').ToList();
        lines.RemoveAt(lines.Count - 1);
        TabWriter.Write(output, lines);
    }

    /// <summary>The output for one row (no newline), for tests and single values.</summary>
    public string Render(IReadOnlyDictionary<string, string> row)
    {
        var text = new StringBuilder();
        Render(text, row, header: false);
        return text.ToString();
    }

    /// <summary>The column title docker derives from a field name: <c>CurrentState</c> → <c>CURRENT STATE</c>.</summary>
    public static string HeaderOf(string field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var header = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (i > 0 && char.IsUpper(field[i]) && char.IsLower(field[i - 1]))
            {
                header.Append(' ');
            }

            header.Append(char.ToUpperInvariant(field[i]));
        }

        return header.ToString();
    }

    /// <summary>A row as docker's <c>{{json .}}</c> prints it: keys sorted, HTML characters escaped as Go does.</summary>
    public static string JsonOf(IReadOnlyDictionary<string, string> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var json = new StringBuilder("{");
        foreach (var (key, value) in row.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            AppendJsonString(json, key, escapeHtml: true);
            json.Append(':');
            AppendJsonString(json, value, escapeHtml: true);
        }

        return json.Append('}').ToString();
    }

    private void Render(StringBuilder output, IReadOnlyDictionary<string, string>? row, bool header)
    {
        foreach (var node in _nodes)
        {
            if (node is TextNode text)
            {
                output.Append(text.Text);
            }
            else if (node is ActionNode action)
            {
                output.Append(Evaluate(action.Pipeline, row, header).Text);
            }
        }
    }

    private static Value Evaluate(IReadOnlyList<Command> pipeline, IReadOnlyDictionary<string, string>? row, bool header)
    {
        Value? piped = null;
        foreach (var command in pipeline)
        {
            var args = command.Args.Select(a => Argument(a, row, header)).ToList();
            if (piped is not null)
            {
                args.Add(piped);
            }

            piped = command.Function is null ? args[0] : Call(command.Function, args, header);
        }

        return piped!;
    }

    private static Value Argument(Token token, IReadOnlyDictionary<string, string>? row, bool header) => token.Kind switch
    {
        TokenKind.Field when header => new Value(HeaderOf(token.Text), null),
        TokenKind.Field => new Value(row![token.Text], null),
        TokenKind.Dot when header => new Value(string.Empty, null),
        TokenKind.Dot => new Value(JsonOf(row!), row),
        TokenKind.Number => new Value(token.Text, null),
        _ => new Value(token.Text, null),
    };

    private static Value Call(string function, List<Value> args, bool header)
    {
        // Header lines keep the column titles as they are (docker's HeaderFunctions).
        if (header)
        {
            return new Value(args.Count > 0 && function is not "json" ? args[0].Text : args.FirstOrDefault()?.Text ?? string.Empty, null);
        }

        return function switch
        {
            "json" => new Value(args[0].Row is { } whole ? JsonOf(whole) : JsonString(args[0].Text), null),
            "lower" => new Value(args[0].Text.ToLowerInvariant(), null),
            "upper" => new Value(args[0].Text.ToUpperInvariant(), null),
            "title" => new Value(Title(args[0].Text), null),
            "truncate" => new Value(Truncate(args[0].Text, Int(args[1])), null),
            "pad" => new Value(args[0].Text.Length == 0 ? string.Empty : new string(' ', Int(args[1])) + args[0].Text + new string(' ', Int(args[2])), null),
            _ => throw new InvalidOperationException($"function {function} was accepted by the parser but is not implemented"),
        };
    }

    private static string Title(string text)
    {
        var title = text.ToCharArray();
        for (var i = 0; i < title.Length; i++)
        {
            if (i == 0 || char.IsWhiteSpace(title[i - 1]))
            {
                title[i] = char.ToUpperInvariant(title[i]);
            }
        }

        return new string(title);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static int Int(Value value) => int.Parse(value.Text, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static string JsonString(string value)
    {
        var json = new StringBuilder();
        AppendJsonString(json, value, escapeHtml: false);
        return json.ToString();
    }

    private static void AppendJsonString(StringBuilder json, string value, bool escapeHtml)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '<' or '>' or '&' when escapeHtml:
                case < ' ' or '\u2028' or '\u2029':
                    json.Append(string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"));
                    break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }

    /// <summary>A value in a pipeline: text, and the row itself for <c>.</c> so <c>json .</c> prints the object.</summary>
    private sealed record Value(string Text, IReadOnlyDictionary<string, string>? Row);

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record ActionNode(IReadOnlyList<Command> Pipeline) : Node;

    /// <summary>One stage of a pipeline: a function and its arguments, or (Function null) a single value.</summary>
    private sealed record Command(string? Function, IReadOnlyList<Token> Args);

    private enum TokenKind
    {
        Field,
        Dot,
        Identifier,
        String,
        Number,
        Pipe,
    }

    private sealed record Token(TokenKind Kind, string Text);

    private sealed class Parser(string text, IReadOnlyCollection<string> fields)
    {
        // Function name → number of arguments (the piped value counts as the last one).
        private static readonly Dictionary<string, int> s_functions = new(StringComparer.Ordinal)
        {
            ["json"] = 1, ["lower"] = 1, ["upper"] = 1, ["title"] = 1, ["truncate"] = 2, ["pad"] = 3,
        };

        public List<Node> Parse()
        {
            var nodes = new List<Node>();
            var position = 0;
            var trimNext = false;
            while (position < text.Length)
            {
                var open = text.IndexOf("{{", position, StringComparison.Ordinal);
                var literal = open < 0 ? text[position..] : text[position..open];
                var trimBefore = open >= 0 && open + 2 < text.Length && text[open + 2] == '-' && open + 3 < text.Length && char.IsWhiteSpace(text[open + 3]);
                if (trimNext)
                {
                    literal = literal.TrimStart();
                }

                if (trimBefore)
                {
                    literal = literal.TrimEnd();
                }

                if (literal.Length > 0)
                {
                    nodes.Add(new TextNode(literal));
                }

                if (open < 0)
                {
                    break;
                }

                var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new FormatException($"unclosed action at column {open + 1}");
                }

                var inner = text[(open + 2)..close];
                if (trimBefore)
                {
                    inner = inner[1..];
                }

                trimNext = inner.Length >= 2 && inner[^1] == '-' && char.IsWhiteSpace(inner[^2]);
                if (trimNext)
                {
                    inner = inner[..^1];
                }

                nodes.Add(new ActionNode(Pipeline(inner, open + 1)));
                position = close + 2;
            }

            return nodes;
        }

        private List<Command> Pipeline(string action, int column)
        {
            var tokens = Tokenize(action, column);
            if (tokens.Count == 0)
            {
                throw new FormatException($"missing value for command at column {column}");
            }

            var pipeline = new List<Command>();
            var stage = new List<Token>();
            foreach (var token in tokens.Append(new Token(TokenKind.Pipe, "|")))
            {
                if (token.Kind != TokenKind.Pipe)
                {
                    stage.Add(token);
                    continue;
                }

                if (stage.Count == 0)
                {
                    throw new FormatException($"missing command in pipeline at column {column}");
                }

                pipeline.Add(Stage(stage, piped: pipeline.Count > 0, column));
                stage = [];
            }

            return pipeline;
        }

        private Command Stage(List<Token> stage, bool piped, int column)
        {
            var head = stage[0];
            if (head.Kind != TokenKind.Identifier)
            {
                if (stage.Count > 1 || piped)
                {
                    throw new FormatException($"can't give argument to non-function {Describe(head)} at column {column}");
                }

                CheckField(head);
                return new Command(null, [head]);
            }

            if (!s_functions.TryGetValue(head.Text, out var arity))
            {
                var control = head.Text is "if" or "else" or "end" or "range" or "with" or "define" or "block" or "template";
                throw new FormatException(control
                    ? $"'{head.Text}' is not supported by berth (only field references and functions: {string.Join(", ", s_functions.Keys)})"
                    : $"function \"{head.Text}\" not defined (functions: {string.Join(", ", s_functions.Keys)})");
            }

            var args = stage.Skip(1).ToList();
            foreach (var arg in args)
            {
                if (arg.Kind == TokenKind.Identifier)
                {
                    throw new FormatException($"function calls as arguments are not supported: {arg.Text} at column {column}");
                }

                CheckField(arg);
            }

            var given = args.Count + (piped ? 1 : 0);
            if (given != arity)
            {
                throw new FormatException($"wrong number of args for {head.Text}: want {arity} got {given} at column {column}");
            }

            if (head.Text is "truncate" or "pad" && args.Skip(piped ? 0 : 1).Any(a => a.Kind != TokenKind.Number))
            {
                throw new FormatException($"{head.Text} takes numbers after the value at column {column}");
            }

            return new Command(head.Text, args);
        }

        private void CheckField(Token token)
        {
            if (token.Kind == TokenKind.Field && !fields.Contains(token.Text))
            {
                throw new FormatException($"can't evaluate field {token.Text} (fields: {string.Join(", ", fields.Order(StringComparer.Ordinal))})");
            }
        }

        private static string Describe(Token token) => token.Kind == TokenKind.Field ? "." + token.Text : token.Text;

        private static List<Token> Tokenize(string action, int column)
        {
            var tokens = new List<Token>();
            var i = 0;
            while (i < action.Length)
            {
                var c = action[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '|')
                {
                    tokens.Add(new Token(TokenKind.Pipe, "|"));
                    i++;
                }
                else if (c == '.')
                {
                    var start = ++i;
                    while (i < action.Length && (char.IsLetterOrDigit(action[i]) || action[i] == '_'))
                    {
                        i++;
                    }

                    if (i < action.Length && action[i] == '.')
                    {
                        throw new FormatException($"nested field {action[(start - 1)..]} is not supported at column {column}");
                    }

                    tokens.Add(start == i ? new Token(TokenKind.Dot, ".") : new Token(TokenKind.Field, action[start..i]));
                }
                else if (c == '"')
                {
                    var value = new StringBuilder();
                    i++;
                    while (i < action.Length && action[i] != '"')
                    {
                        if (action[i] == '\\' && i + 1 < action.Length)
                        {
                            i++;
                            value.Append(action[i] switch { 'n' => '\n', 't' => '\t', var other => other });
                        }
                        else
                        {
                            value.Append(action[i]);
                        }

                        i++;
                    }

                    if (i >= action.Length)
                    {
                        throw new FormatException($"unterminated quoted string at column {column}");
                    }

                    i++;
                    tokens.Add(new Token(TokenKind.String, value.ToString()));
                }
                else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < action.Length && char.IsAsciiDigit(action[i + 1])))
                {
                    var start = i++;
                    while (i < action.Length && char.IsAsciiDigit(action[i]))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Number, action[start..i]));
                }
                else if (char.IsLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < action.Length && (char.IsLetterOrDigit(action[i]) || action[i] == '_'))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Identifier, action[start..i]));
                }
                else
                {
                    throw new FormatException($"unexpected '{c}' in action at column {column}");
                }
            }

            return tokens;
        }
    }
}

/// <summary>
/// Aligns tab-separated cells as docker's tabwriter (minimum cell width 10, padding 3): every cell but the last of a
/// line is padded to its column's width. Trailing blanks are dropped so lines stay diffable.
/// </summary>
internal static class TabWriter
{
    private const int MinWidth = 10;
    private const int Padding = 3;

    public static void Write(TextWriter output, IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(lines);
        var cells = lines.Select(l => l.Split('\t')).ToList();
        var columns = cells.Count == 0 ? 0 : cells.Max(c => c.Length);
        var widths = new int[columns];
        foreach (var line in cells)
        {
            for (var i = 0; i < line.Length - 1; i++)
            {
                widths[i] = Math.Max(widths[i], Math.Max(MinWidth, line[i].Length + Padding));
            }
        }

        foreach (var line in cells)
        {
            var text = new StringBuilder();
            for (var i = 0; i < line.Length; i++)
            {
                text.Append(i == line.Length - 1 ? line[i] : line[i].PadRight(widths[i]));
            }

            output.WriteLine(text.ToString().TrimEnd());
        }
    }
}
