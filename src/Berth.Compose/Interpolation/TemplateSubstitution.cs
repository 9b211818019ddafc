using System.Text;

namespace Berth.Compose.Interpolation;

/// <summary>
/// The substitution engine behind <see cref="Interpolator"/> and <see cref="DotEnvParser"/>: one left-to-right
/// pass over the template with compose-go's rules. Defaults, alternatives and error messages are expanded
/// lazily (only the branch that is used), as compose-go does, so a variable in an unused default is neither
/// looked up nor warned about.
/// </summary>
internal static class TemplateSubstitution
{
    /// <summary>Deepest nesting of <c>${...}</c> inside defaults; bounds recursion on hostile input.</summary>
    internal const int MaxNesting = 64;

    public static bool TrySubstitute(
        string template,
        Func<string, string?> lookup,
        Action<string>? unsetVariable,
        out string result,
        out InterpolationError? error)
    {
        if (!template.Contains('$', StringComparison.Ordinal))
        {
            result = template;
            error = null;
            return true;
        }

        var run = new Run(template, lookup, unsetVariable);
        var builder = new StringBuilder(template.Length + 16);
        if (run.Expand(0, template.Length, builder, depth: 0))
        {
            result = builder.ToString();
            error = null;
            return true;
        }

        result = template;
        error = run.Error;
        return false;
    }

    /// <summary>Names as compose-go accepts them: <c>[_a-zA-Z][_a-zA-Z0-9]*</c> (ASCII only).</summary>
    internal static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';

    internal static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private sealed class Run(string template, Func<string, string?> lookup, Action<string>? unsetVariable)
    {
        public InterpolationError? Error { get; private set; }

        /// <summary>Appends the substitution of <c>template[start..end)</c>; false (with <see cref="Error"/>) on failure.</summary>
        public bool Expand(int start, int end, StringBuilder output, int depth)
        {
            if (depth > MaxNesting)
            {
                return Fail(InterpolationErrorKind.Syntax, $"invalid interpolation format: nested more than {MaxNesting} levels deep");
            }

            var i = start;
            while (i < end)
            {
                var dollar = template.IndexOf('$', i, end - i);
                if (dollar < 0)
                {
                    output.Append(template, i, end - i);
                    break;
                }

                output.Append(template, i, dollar - i);
                i = dollar + 1;
                if (i >= end)
                {
                    // A trailing '$' is not a reference; compose-go keeps it.
                    output.Append('$');
                    break;
                }

                var next = template[i];
                if (next == '$')
                {
                    output.Append('$');
                    i++;
                }
                else if (next == '{')
                {
                    if (!Braced(dollar, end, output, depth, out i))
                    {
                        return false;
                    }
                }
                else if (IsNameStart(next))
                {
                    var nameEnd = ScanName(i, end);
                    AppendVariable(template[i..nameEnd], output);
                    i = nameEnd;
                }
                else
                {
                    // '$1', '$-', '$ ': not a variable, kept as written (compose-go only substitutes valid references).
                    output.Append('$');
                }
            }

            return true;
        }

        private bool Braced(int dollar, int end, StringBuilder output, int depth, out int resume)
        {
            resume = end;
            var bodyStart = dollar + 2;
            var close = FindClosingBrace(bodyStart, end);
            if (close < 0)
            {
                return Fail(InterpolationErrorKind.Syntax, $"invalid interpolation format: unterminated \"${{\" in \"{Snippet(dollar, end)}\"");
            }

            resume = close + 1;
            if (bodyStart == close || !IsNameStart(template[bodyStart]))
            {
                return Fail(InterpolationErrorKind.Syntax, $"invalid interpolation format: \"{template[dollar..resume]}\" does not start with a variable name");
            }

            var nameEnd = ScanName(bodyStart, close);
            var name = template[bodyStart..nameEnd];
            if (nameEnd == close)
            {
                AppendVariable(name, output);
                return true;
            }

            var colon = template[nameEnd] == ':';
            var operatorAt = colon ? nameEnd + 1 : nameEnd;
            if (operatorAt >= close || template[operatorAt] is not ('-' or '+' or '?'))
            {
                return Fail(InterpolationErrorKind.Syntax, $"invalid interpolation format: unsupported expression \"{template[dollar..resume]}\" (use ${{VAR}}, ${{VAR:-default}}, ${{VAR:?error}} or ${{VAR:+alternative}})");
            }

            var argument = operatorAt + 1;
            var value = lookup(name);
            var missing = value is null || (colon && value.Length == 0);
            switch (template[operatorAt])
            {
                case '-':
                    if (missing)
                    {
                        return Expand(argument, close, output, depth + 1);
                    }

                    output.Append(value);
                    return true;
                case '+':
                    return missing || Expand(argument, close, output, depth + 1);
                default:
                    if (!missing)
                    {
                        output.Append(value);
                        return true;
                    }

                    var reason = new StringBuilder();
                    if (!Expand(argument, close, reason, depth + 1))
                    {
                        return false;
                    }

                    var message = reason.Length > 0
                        ? $"required variable {name} is missing a value: {reason}"
                        : $"required variable {name} is missing a value";
                    Error = new InterpolationError(InterpolationErrorKind.RequiredVariable, message, name);
                    return false;
            }
        }

        /// <summary>
        /// Finds the '}' closing a '${' the way compose-go counts: every '${' opens, every '}' closes,
        /// so <c>${A:-${B}}</c> nests and the first unmatched '}' ends the expression.
        /// </summary>
        private int FindClosingBrace(int from, int end)
        {
            var open = 1;
            for (var j = from; j < end; j++)
            {
                var c = template[j];
                if (c == '}')
                {
                    if (--open == 0)
                    {
                        return j;
                    }
                }
                else if (c == '$' && j + 1 < end && template[j + 1] == '{')
                {
                    open++;
                    j++;
                }
            }

            return -1;
        }

        /// <summary>The text from <paramref name="from"/>, shortened so a huge value does not flood the message.</summary>
        private string Snippet(int from, int end)
            => end - from <= 60 ? template[from..end] : string.Concat(template.AsSpan(from, 57), "...");

        private int ScanName(int from, int end)
        {
            var j = from;
            while (j < end && IsNameChar(template[j]))
            {
                j++;
            }

            return j;
        }

        private void AppendVariable(string name, StringBuilder output)
        {
            var value = lookup(name);
            if (value is null)
            {
                unsetVariable?.Invoke(name);
                return;
            }

            output.Append(value);
        }

        private bool Fail(InterpolationErrorKind kind, string message)
        {
            Error = new InterpolationError(kind, message);
            return false;
        }
    }
}
