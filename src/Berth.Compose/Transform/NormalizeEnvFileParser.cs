using Berth.Compose.Diagnostics;

namespace Berth.Compose.Transform;

/// <summary>
/// Parses the text of a dotenv file to its variables in file order. <paramref name="lookup"/> resolves
/// <c>${VAR}</c> references and key-only lines; a null value in the result means the variable is unset.
/// </summary>
/// <remarks>The seam where the real <c>Interpolation/DotEnvParser</c> plugs in (see <see cref="ProjectNormalizer"/>).</remarks>
internal delegate IReadOnlyList<KeyValuePair<string, string?>> NormalizeEnvFileParser(
    string text,
    string file,
    Func<string, string?> lookup,
    DiagnosticBag diagnostics);

/// <summary>
/// Stand-ins for the dotenv parser: <see cref="ParseMinimal"/> until the full parser is wired in,
/// and <see cref="ParseRaw"/>, the <c>format: raw</c> reader, which stays.
/// </summary>
internal static class NormalizeEnvFileParsers
{
    /// <summary>
    /// A deliberately small KEY=VALUE reader: comments, blank lines, <c>export</c>, surrounding quotes and
    /// key-only lines. No escapes, multi-line values or interpolation — the real parser does those.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ParseMinimal(string text, string file, Func<string, string?> lookup, DiagnosticBag diagnostics)
    {
        var result = new List<KeyValuePair<string, string?>>();
        foreach (var (line, number) in Lines(text))
        {
            var (key, value, hasEquals) = Split(line);
            if (key is null)
            {
                continue;
            }

            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
            {
                diagnostics.Error(DiagnosticCodes.DotEnvSyntax, $"invalid line in env file: '{line.Trim()}'", new SourceLocation(file, number, 1), hint: "write VAR=VALUE, one per line");
                continue;
            }

            if (!hasEquals)
            {
                result.Add(new(key, lookup(key)));
                continue;
            }

            value = value!.Trim();
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            else if (value.IndexOf(" #", StringComparison.Ordinal) is var comment and >= 0)
            {
                value = value[..comment].TrimEnd();
            }

            result.Add(new(key, value));
        }

        return result;
    }

    /// <summary>
    /// <c>format: raw</c>: each value is the text after the first '=' exactly as written — no quote
    /// removal, no interpolation (spec 05-services.md, env_file format).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ParseRaw(string text, string file, Func<string, string?> lookup, DiagnosticBag diagnostics)
    {
        var result = new List<KeyValuePair<string, string?>>();
        foreach (var (line, number) in Lines(text))
        {
            var (key, value, hasEquals) = Split(line);
            if (key is null)
            {
                continue;
            }

            if (key.Length == 0)
            {
                diagnostics.Error(DiagnosticCodes.DotEnvSyntax, $"invalid line in env file: '{line.Trim()}'", new SourceLocation(file, number, 1), hint: "write VAR=VALUE, one per line");
                continue;
            }

            result.Add(new(key, hasEquals ? value : lookup(key)));
        }

        return result;
    }

    /// <summary>
    /// The line that set each key (the last one wins, as in dotenv), so that environment values can point
    /// at the env file line they came from. Found by scanning, because the parser seam only returns pairs.
    /// </summary>
    public static Dictionary<string, int> KeyLines(string text)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, number) in Lines(text))
        {
            var (key, _, _) = Split(line);
            if (!string.IsNullOrEmpty(key))
            {
                lines[key] = number;
            }
        }

        return lines;
    }

    private static IEnumerable<(string Line, int Number)> Lines(string text)
    {
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (number == 1)
            {
                line = line.TrimStart('\uFEFF');
            }

            var trimmed = line.TrimStart();
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                continue;
            }

            yield return (line, number);
        }
    }

    // Returns a null key for lines that hold no variable.
    private static (string? Key, string? Value, bool HasEquals) Split(string line)
    {
        var body = line.TrimStart();
        if (body.StartsWith("export ", StringComparison.Ordinal) || body.StartsWith("export\t", StringComparison.Ordinal))
        {
            body = body[7..].TrimStart();
        }

        if (body.Length == 0)
        {
            return (null, null, false);
        }

        var equals = body.IndexOf('=', StringComparison.Ordinal);
        return equals < 0
            ? (body.Trim(), null, false)
            : (body[..equals].Trim(), body[(equals + 1)..], true);
    }
}
