using System.Collections.Immutable;
using System.Text;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Interpolation;

/// <summary>One variable read from a .env file, with the line that set it.</summary>
public readonly record struct DotEnvEntry(string Key, string Value, SourceLocation Location);

/// <summary>
/// Reads .env files with the rules of compose-go's dotenv package: <c>KEY=value</c> and <c>KEY: value</c>,
/// optional <c>export</c>, <c>#</c> comments, unquoted values trimmed and cut at <c> #</c>, single quotes
/// literal, double quotes with escapes and multi-line text, interpolation in unquoted and double-quoted values,
/// key-only lines that inherit from the lookup, a UTF-8 BOM and CRLF line ends.
/// </summary>
public static class DotEnvParser
{
    /// <summary>
    /// Parses <paramref name="text"/>. Interpolation looks a name up in <paramref name="lookup"/> first, then in the
    /// values set earlier in the same file (compose-go's order, so an environment value wins consistently).
    /// Keys appear in the order they were first set; a repeated key keeps its first position and its last value.
    /// Problems are reported to <paramref name="diagnostics"/> with file and line; the entries read so far are returned.
    /// </summary>
    public static ImmutableArray<DotEnvEntry> Parse(
        string text,
        string file,
        Func<string, string?> lookup,
        DiagnosticBag diagnostics,
        bool interpolate = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(diagnostics);
        return new Reader(text, file, lookup, null, diagnostics, interpolate).ReadAll();
    }

    /// <summary>
    /// Parses with a second lookup consulted after the file's own earlier values: <see cref="ProjectEnvironment"/>
    /// passes the values of earlier env files, so a name redefined in this file refers to its newest value.
    /// </summary>
    internal static ImmutableArray<DotEnvEntry> Parse(
        string text,
        string file,
        Func<string, string?> lookup,
        Func<string, string?>? fallback,
        DiagnosticBag diagnostics,
        bool interpolate)
        => new Reader(text, file, lookup, fallback, diagnostics, interpolate).ReadAll();

    /// <summary>
    /// Reads and parses the file at <paramref name="path"/>. A missing file is error BC001, an unreadable one BC002;
    /// both return no entries.
    /// </summary>
    public static ImmutableArray<DotEnvEntry> ReadFile(
        string path,
        Func<string, string?> lookup,
        DiagnosticBag diagnostics,
        bool interpolate = true)
        => ReadFile(path, lookup, fallback: null, diagnostics, interpolate);

    internal static ImmutableArray<DotEnvEntry> ReadFile(
        string path,
        Func<string, string?> lookup,
        Func<string, string?>? fallback,
        DiagnosticBag diagnostics,
        bool interpolate)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (!File.Exists(path))
        {
            var what = Directory.Exists(path) ? "is a directory, not an env file" : "not found";
            diagnostics.Error(DiagnosticCodes.FileNotFound, $"env file {path} {what}", SourceLocation.None, hint: "check the env file path");
            return [];
        }

        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(DiagnosticCodes.FileUnreadable, $"cannot read env file {path}: {ex.Message}", SourceLocation.None);
            return [];
        }

        return Parse(text, path, lookup, fallback, diagnostics, interpolate);
    }

    /// <summary>compose-go's "space": whitespace that does not end a line.</summary>
    private static bool IsSpace(char c) => c is '\t' or '\v' or '\f' or '\r' or ' ' or '\u0085' or '\u00A0';

    /// <summary>Key characters compose-go allows: letters, digits, <c>_ . - [ ]</c>.</summary>
    private static bool IsKeyChar(char c) => char.IsLetterOrDigit(c) || char.IsNumber(c) || c is '_' or '.' or '-' or '[' or ']';

    private sealed class Reader(
        string text,
        string file,
        Func<string, string?> lookup,
        Func<string, string?>? fallback,
        DiagnosticBag diagnostics,
        bool interpolate)
    {
        private readonly List<DotEnvEntry> _entries = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private int _pos;
        private int _line = 1;
        private int _lineCountedTo;
        private int _lineStart;
        private SourceLocation _statement = SourceLocation.None;

        public ImmutableArray<DotEnvEntry> ReadAll()
        {
            // File.ReadAllText drops a BOM, but text handed in directly may still carry one.
            if (text.Length > 0 && text[0] == '\uFEFF')
            {
                _pos = 1;
                _lineCountedTo = 1;
                _lineStart = 1;
            }

            while (SkipToStatement())
            {
                if (!ReadStatement())
                {
                    break;
                }
            }

            return [.. _entries];
        }

        /// <summary>Skips blank lines, whitespace and comment lines; false at the end of the text.</summary>
        private bool SkipToStatement()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (char.IsWhiteSpace(c))
                {
                    _pos++;
                }
                else if (c == '#')
                {
                    SkipLine();
                }
                else
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Reads one statement; false when parsing cannot continue (an unterminated quote).</summary>
        private bool ReadStatement()
        {
            var line = LineAt(_pos);
            _statement = new SourceLocation(file, line, _pos - _lineStart + 1);
            var start = _pos;
            if (string.CompareOrdinal(text, _pos, "export", 0, 6) == 0 && _pos + 6 < text.Length && IsSpace(text[_pos + 6]))
            {
                _pos += 6;
                while (_pos < text.Length && IsSpace(text[_pos]))
                {
                    _pos++;
                }
            }

            var keyStart = _pos;
            var terminator = '\n';
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c is '=' or ':' or '\n')
                {
                    terminator = c;
                    break;
                }

                if (!IsSpace(c) && !IsKeyChar(c))
                {
                    var lineEnd = text.IndexOf('\n', start);
                    var statement = text[start..(lineEnd < 0 ? text.Length : lineEnd)].TrimEnd();
                    Invalid($"unexpected character '{c}' in variable name \"{statement}\"", "names may use letters, digits, '_', '.', '-', '[' and ']'");
                    SkipLine();
                    return true;
                }

                _pos++;
            }

            var key = text[keyStart.._pos].TrimEnd();
            if (_pos < text.Length)
            {
                _pos++;
            }

            if (key.Length == 0)
            {
                Invalid("missing variable name", "write KEY=value");
                if (terminator != '\n')
                {
                    SkipLine();
                }

                return true;
            }

            if (key.AsSpan().IndexOfAny(" \t\v\f\r\u0085\u00A0") >= 0)
            {
                Invalid($"variable name \"{key}\" cannot contain a space", "write KEY=value, with no spaces in KEY");
                if (terminator != '\n')
                {
                    SkipLine();
                }

                return true;
            }

            if (terminator == '\n')
            {
                // A key on its own takes its value from the environment, and is absent when that is unset.
                if ((lookup(key) ?? fallback?.Invoke(key)) is { } inherited)
                {
                    Set(key, inherited);
                }

                return true;
            }

            while (_pos < text.Length && IsSpace(text[_pos]))
            {
                _pos++;
            }

            if (_pos < text.Length && text[_pos] is '"' or '\'')
            {
                return ReadQuoted(key);
            }

            ReadUnquoted(key);
            return true;
        }

        private void ReadUnquoted(string key)
        {
            var lineEnd = text.IndexOf('\n', _pos);
            var end = lineEnd < 0 ? text.Length : lineEnd;
            var raw = text.AsSpan(_pos, end - _pos);

            // Only " #" starts an inline comment, so URLs with fragments (a#b) survive, as in compose-go.
            var comment = raw.IndexOf(" #", StringComparison.Ordinal);
            if (comment >= 0)
            {
                raw = raw[..comment];
            }

            _pos = lineEnd < 0 ? text.Length : lineEnd + 1;
            var value = raw.TrimEnd().ToString();
            if (interpolate)
            {
                if (!Substitute(value, out value))
                {
                    return;
                }
            }

            Set(key, value);
        }

        private bool ReadQuoted(string key)
        {
            var quote = text[_pos];
            var raw = new StringBuilder();
            var escaped = false;
            var closed = -1;
            for (var i = _pos + 1; i < text.Length; i++)
            {
                var c = text[i];
                if (escaped)
                {
                    escaped = false;

                    // An escaped quote drops its backslash; any other escape is kept for the next step.
                    if (c != quote)
                    {
                        raw.Append('\\');
                    }

                    raw.Append(c);
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == quote)
                {
                    closed = i;
                    break;
                }
                else
                {
                    raw.Append(c);
                }
            }

            if (closed < 0)
            {
                Invalid($"unterminated quoted value for {key}", $"close the value with {quote}");
                return false;
            }

            _pos = closed + 1;
            if (!SkipTrailer())
            {
                Invalid($"unexpected text after the quoted value of {key}", "put comments after ' #'; quote the whole value");
                SkipLine();
                return true;
            }

            var value = raw.ToString();
            if (quote == '"')
            {
                value = ExpandEscapes(value, interpolate);
                if (interpolate && !Substitute(value, out value))
                {
                    return true;
                }
            }

            Set(key, value);
            return true;
        }

        /// <summary>After a closing quote only spaces and a comment may follow on the line.</summary>
        private bool SkipTrailer()
        {
            while (_pos < text.Length && IsSpace(text[_pos]))
            {
                _pos++;
            }

            if (_pos >= text.Length || text[_pos] == '\n')
            {
                return true;
            }

            if (text[_pos] == '#')
            {
                SkipLine();
                return true;
            }

            return false;
        }

        private bool Substitute(string template, out string value)
        {
            var ok = TemplateSubstitution.TrySubstitute(template, LookupForInterpolation, WarnUnset, out value, out var error);
            if (!ok)
            {
                var code = error!.Kind == InterpolationErrorKind.Syntax ? DiagnosticCodes.InterpolationSyntax : DiagnosticCodes.RequiredVariable;
                diagnostics.Error(code, error.Message, _statement, hint: error.Kind == InterpolationErrorKind.Syntax ? "escape a literal '$' as '$$' or use single quotes" : null);
            }

            return ok;
        }

        private string? LookupForInterpolation(string name)
            => lookup(name) ?? (_index.TryGetValue(name, out var i) ? _entries[i].Value : fallback?.Invoke(name));

        private void WarnUnset(string name) => UnsetVariableWarnings.Report(diagnostics, name, _statement, null);

        private void Set(string key, string value)
        {
            var entry = new DotEnvEntry(key, value, _statement);
            if (_index.TryGetValue(key, out var i))
            {
                _entries[i] = entry;
                return;
            }

            _index[key] = _entries.Count;
            _entries.Add(entry);
        }

        private void Invalid(string message, string hint)
            => diagnostics.Error(DiagnosticCodes.DotEnvSyntax, message, _statement, hint: hint);

        private void SkipLine()
        {
            var lineEnd = text.IndexOf('\n', _pos);
            _pos = lineEnd < 0 ? text.Length : lineEnd + 1;
        }

        /// <summary>The 1-based line of <paramref name="position"/>; positions only move forward, so counting is incremental.</summary>
        private int LineAt(int position)
        {
            for (; _lineCountedTo < position; _lineCountedTo++)
            {
                if (text[_lineCountedTo] == '\n')
                {
                    _line++;
                    _lineStart = _lineCountedTo + 1;
                }
            }

            return _line;
        }
    }

    /// <summary>
    /// Double-quote escapes as compose-go applies them: <c>\a \b \f \n \r \t \v \" \\</c>, <c>\0</c> with three octal
    /// digits (<c>\0123</c> is <c>S</c>), and <c>\$</c> for a literal dollar. Anything else keeps its backslash.
    /// </summary>
    internal static string ExpandEscapes(string value, bool interpolate)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var output = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\' || i + 1 >= value.Length)
            {
                output.Append(c);
                continue;
            }

            var next = value[i + 1];
            string? replacement = next switch
            {
                'a' => "\a",
                'b' => "\b",
                'f' => "\f",
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                'v' => "\v",
                '"' => "\"",
                '\\' => "\\",

                // '$$' is what the substitution step reads as a literal '$'.
                '$' => interpolate ? "$$" : "$",
                _ => null,
            };

            if (replacement is not null)
            {
                output.Append(replacement);
                i++;
                continue;
            }

            if (next == '0')
            {
                var digits = 0;
                while (digits < 3 && i + 2 + digits < value.Length && char.IsAsciiDigit(value[i + 2 + digits]))
                {
                    digits++;
                }

                var octal = value.AsSpan(i + 2, digits);
                if (digits == 3 && !octal.ContainsAny('8', '9'))
                {
                    var code = ((octal[0] - '0') * 64) + ((octal[1] - '0') * 8) + (octal[2] - '0');
                    if (code <= 255)
                    {
                        output.Append((char)code);
                        i += 4;
                        continue;
                    }
                }

                // Not a valid octal escape: kept as written, digits included.
                output.Append(value, i, 2 + digits);
                i += 1 + digits;
                continue;
            }

            output.Append(c).Append(next);
            i++;
        }

        return output.ToString();
    }
}
