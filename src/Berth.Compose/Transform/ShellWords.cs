using System.Collections.Immutable;
using System.Text;

namespace Berth.Compose.Transform;

/// <summary>
/// Splits a command line into words the way a POSIX shell does, without expansions: blanks separate words,
/// single quotes keep everything literally, double quotes keep everything but <c>\$ \` \" \\</c> and
/// backslash-newline, and an unquoted backslash quotes the next character. Operators such as <c>&amp;&amp;</c> and
/// <c>|</c> are ordinary words: the engine runs the list directly, with no shell.
/// </summary>
internal static class ShellWords
{
    public static bool TrySplit(string line, out ImmutableArray<string> words, out string error)
    {
        var result = ImmutableArray.CreateBuilder<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord)
                    {
                        result.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    break;
                case '\\':
                    if (i + 1 == line.Length)
                    {
                        // A trailing backslash quotes nothing; keep it rather than lose a character.
                        word.Append(c);
                        inWord = true;
                    }
                    else if (line[i + 1] == '\n')
                    {
                        i++;
                    }
                    else
                    {
                        word.Append(line[++i]);
                        inWord = true;
                    }

                    break;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        words = [];
                        error = $"unterminated single quote at position {i + 1}";
                        return false;
                    }

                    word.Append(line, i + 1, close - i - 1);
                    inWord = true;
                    i = close;
                    break;
                case '"':
                    if (!TryReadDoubleQuoted(line, ref i, word))
                    {
                        words = [];
                        error = $"unterminated double quote at position {i + 1}";
                        return false;
                    }

                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (inWord)
        {
            result.Add(word.ToString());
        }

        words = result.ToImmutable();
        error = string.Empty;
        return true;
    }

    /// <summary>Reads from the opening quote at <paramref name="i"/>; leaves <paramref name="i"/> on the closing quote.</summary>
    private static bool TryReadDoubleQuoted(string line, ref int i, StringBuilder word)
    {
        for (var j = i + 1; j < line.Length; j++)
        {
            var c = line[j];
            if (c == '"')
            {
                i = j;
                return true;
            }

            if (c == '\\' && j + 1 < line.Length && line[j + 1] is '$' or '`' or '"' or '\\' or '\n')
            {
                j++;
                if (line[j] != '\n')
                {
                    word.Append(line[j]);
                }

                continue;
            }

            word.Append(c);
        }

        return false;
    }
}
