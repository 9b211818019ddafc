using Berth.Compose.Diagnostics;
using Berth.Compose.Interpolation;

namespace Berth.Compose.Transform;

/// <summary>
/// Parses the text of a dotenv file to its variables in file order. <paramref name="lookup"/> resolves
/// <c>${VAR}</c> references and key-only lines; a null value in the result means the variable is unset.
/// </summary>
/// <remarks>The seam where the real <c>Interpolation/DotEnvParser</c> plugs in (see <see cref="ProjectNormalizer"/>).</remarks>
internal delegate IReadOnlyList<DotEnvEntry> NormalizeEnvFileParser(
    string text,
    string file,
    Func<string, string?> lookup,
    DiagnosticBag diagnostics,
    bool interpolate);

/// <summary>
/// The env_file readers: <see cref="ParseDotEnv"/> (the default format, compose-go's dotenv rules) and
/// <see cref="ParseRaw"/>, the <c>format: raw</c> reader.
/// </summary>
internal static class NormalizeEnvFileParsers
{
    public static IReadOnlyList<DotEnvEntry> ParseDotEnv(string text, string file, Func<string, string?> lookup, DiagnosticBag diagnostics, bool interpolate)
        => DotEnvParser.Parse(text, file, lookup, diagnostics, interpolate);

    /// <summary>
    /// <c>format: raw</c>: each value is the text after the first '=' exactly as written — no quote
    /// removal, no interpolation (spec 05-services.md, env_file format).
    /// </summary>
    public static IReadOnlyList<DotEnvEntry> ParseRaw(string text, string file, Func<string, string?> lookup, DiagnosticBag diagnostics, bool interpolate)
    {
        var result = new List<DotEnvEntry>();
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

            var resolved = hasEquals ? value : lookup(key);
            if (resolved is not null)
            {
                result.Add(new DotEnvEntry(key, resolved, new SourceLocation(file, number, 1)));
            }
        }

        return result;
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
