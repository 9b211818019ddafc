using System.Text;
using System.Text.Json;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Kubernetes.Convert.Output;

/// <summary>
/// Writes a JSON document as block YAML, keeping property order. The AOT flavour of the Kubernetes client
/// keeps its YAML serialiser internal, so objects are serialised with its public source-generated JSON
/// and re-emitted here; strings YAML would misread (<c>"80"</c>, <c>"true"</c>, <c>"yes"</c>) are quoted.
/// </summary>
/// <remarks>
/// Printing thousands of objects through YamlDotNet's emitter (one event object per node, a character analysis per
/// scalar) dominated <c>berth convert</c> on large projects, so the layout is written directly into a
/// <see cref="StringBuilder"/>. The output is byte-for-byte what YamlDotNet's emitter produces with the settings
/// below (bestIndent 2, no width limit, sequences not indented); the direct path only handles scalars whose
/// YamlDotNet rendering is fully known here — printable ASCII on one line, or a literal block without leading
/// space or blank-line chomping. An object holding any other scalar (non-ASCII, control characters, unusual
/// multi-line text, keys over 1,024 characters) is written by the emitter instead, so those keep its exact
/// quoting. Tests compare both paths.
/// </remarks>
internal static class JsonYamlWriter
{
    private const int Indent = 2;
    private const int MaxSimpleKeyLength = 1024;

    public static string Write(string json)
    {
        var builder = new StringBuilder(json.Length);
        Append(builder, json);
        return builder.ToString();
    }

    /// <summary>Appends the YAML document for <paramref name="json"/> (ending with a line break) to <paramref name="builder"/>.</summary>
    public static void Append(StringBuilder builder, string json)
    {
        using var document = JsonDocument.Parse(json);
        Append(builder, document);
    }

    /// <summary>Appends the YAML document for the UTF-8 JSON <paramref name="utf8Json"/> to <paramref name="builder"/>.</summary>
    public static void Append(StringBuilder builder, ReadOnlyMemory<byte> utf8Json)
    {
        using var document = JsonDocument.Parse(utf8Json);
        Append(builder, document);
    }

    private static void Append(StringBuilder builder, JsonDocument document)
    {
        if (!TryWriteDirect(builder, document.RootElement))
        {
            builder.Append(WriteWithEmitter(document.RootElement));
        }
    }

    /// <summary>The direct path; false (with <paramref name="builder"/> unchanged) when the document needs the emitter.</summary>
    internal static bool TryWriteDirect(StringBuilder builder, JsonElement root)
    {
        var start = builder.Length;
        if (root.ValueKind == JsonValueKind.Object && !IsEmpty(root) && TryMappingBody(builder, root, 0, firstInline: false))
        {
            return true;
        }

        builder.Length = start;
        return false;
    }

    /// <summary>The reference rendering: YamlDotNet's emitter, for the scalars the direct path does not handle.</summary>
    internal static string WriteWithEmitter(JsonElement root)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(bestIndent: Indent, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: MaxSimpleKeyLength, indentSequences: false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        var text = writer.ToString();
        return text.EndsWith('\n') ? text : text + "\n";
    }

    // ---- direct path ------------------------------------------------------------------------------------------

    /// <summary>Mapping entries at <paramref name="indent"/>; the first one continues the current line when <paramref name="firstInline"/> (after "- ").</summary>
    private static bool TryMappingBody(StringBuilder builder, JsonElement mapping, int indent, bool firstInline)
    {
        var first = true;
        foreach (var property in mapping.EnumerateObject())
        {
            if (!first || !firstInline)
            {
                builder.Append(' ', indent);
            }

            first = false;
            var key = property.Name;
            if (key.Length > MaxSimpleKeyLength || !TryString(builder, key, indent, isKey: true))
            {
                return false;
            }

            builder.Append(':');
            if (!TryValue(builder, property.Value, indent, inSequence: false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Sequence items at <paramref name="indent"/> (block sequences are not indented under their key).</summary>
    private static bool TrySequenceBody(StringBuilder builder, JsonElement sequence, int indent, bool firstInline)
    {
        var first = true;
        foreach (var item in sequence.EnumerateArray())
        {
            if (!first || !firstInline)
            {
                builder.Append(' ', indent);
            }

            first = false;
            builder.Append('-');
            if (!TryValue(builder, item, indent, inSequence: true))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A value after "key:" or "-" (the separator space is written here), ending its last line.</summary>
    private static bool TryValue(StringBuilder builder, JsonElement value, int indent, bool inSequence)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (IsEmpty(value))
                {
                    builder.Append(" {}\n");
                    return true;
                }

                if (inSequence)
                {
                    builder.Append(' ');
                    return TryMappingBody(builder, value, indent + Indent, firstInline: true);
                }

                builder.Append('\n');
                return TryMappingBody(builder, value, indent + Indent, firstInline: false);
            case JsonValueKind.Array:
                if (value.GetArrayLength() == 0)
                {
                    builder.Append(" []\n");
                    return true;
                }

                if (inSequence)
                {
                    builder.Append(' ');
                    return TrySequenceBody(builder, value, indent + Indent, firstInline: true);
                }

                builder.Append('\n');
                return TrySequenceBody(builder, value, indent, firstInline: false);
            case JsonValueKind.String:
                builder.Append(' ');
                if (!TryString(builder, value.GetString()!, indent, isKey: false))
                {
                    return false;
                }

                builder.Append('\n');
                return true;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                builder.Append(" null\n");
                return true;
            default:
                // Numbers and booleans: their JSON text is a plain YAML scalar of the same type.
                builder.Append(' ').Append(value.GetRawText()).Append('\n');
                return true;
        }
    }

    private static bool IsEmpty(JsonElement mapping)
    {
        using var properties = mapping.EnumerateObject();
        return !properties.MoveNext();
    }

    /// <summary>
    /// A string scalar in the style the emitter path asks for (literal block for multi-line text, double quotes for
    /// text a reader would take for something else, otherwise plain) and the emitter then settles on (single quotes
    /// when plain is not allowed). False when the text is outside what this path reproduces exactly.
    /// </summary>
    private static bool TryString(StringBuilder builder, string value, int indent, bool isKey)
    {
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            return !isKey && TryLiteral(builder, value, indent);
        }

        if (!IsPrintableAscii(value))
        {
            return false;
        }

        var doubleQuoted = NeedsDoubleQuotes(value);
        if (!doubleQuoted && PlainAllowed(value))
        {
            builder.Append(value);
        }
        else if (!doubleQuoted && !value.Contains('\'', StringComparison.Ordinal))
        {
            // YamlDotNet's fallback when plain is not allowed; text holding a quote gets double quotes instead.
            builder.Append('\'').Append(value).Append('\'');
        }
        else
        {
            builder.Append('"');
            foreach (var c in value)
            {
                if (c is '"' or '\\')
                {
                    builder.Append('\\');
                }

                builder.Append(c);
            }

            builder.Append('"');
        }

        return true;
    }

    /// <summary>
    /// "|" (text ending in one line break) or "|-" (none), then each line indented one step deeper than the key;
    /// empty lines stay empty. Texts that would need an indentation indicator, keep-chomping ("|+") or quoting
    /// (a space at a line end, a tab, a carriage return) go to the emitter.
    /// </summary>
    private static bool TryLiteral(StringBuilder builder, string value, int indent)
    {
        if (value[0] is ' ' or '\n' || value.EndsWith("\n\n", StringComparison.Ordinal) || value.EndsWith(' ')
            || value.Contains(" \n", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c != '\n' && c is < ' ' or > '~')
            {
                return false;
            }
        }

        var clip = value.EndsWith('\n');
        builder.Append(clip ? "|\n" : "|-\n");
        var body = clip ? value.AsSpan(0, value.Length - 1) : value.AsSpan();
        var lines = body.Split('\n');
        var first = true;
        foreach (var range in lines)
        {
            if (!first)
            {
                builder.Append('\n');
            }

            first = false;
            var line = body[range];
            if (!line.IsEmpty)
            {
                builder.Append(' ', indent + Indent).Append(line);
            }
        }

        return true;
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static bool NeedsDoubleQuotes(string value)
        => value.Length == 0 || NeedsQuotes(value) || (MayResolveToNonString(value) && ScalarNode.Plain(value, SourceLocation.None).Kind != ScalarKind.String);

    /// <summary>
    /// Cheap pre-filter for the YAML 1.2 core schema resolution: only text starting like a number (digit, sign, dot)
    /// or like null/bool (n, N, t, T, f, F, ~) can resolve to something other than a string.
    /// </summary>
    private static bool MayResolveToNonString(string value) => value[0] is (>= '0' and <= '9') or '+' or '-' or '.' or 'n' or 'N' or 't' or 'T' or 'f' or 'F' or '~';

    /// <summary>
    /// Whether YamlDotNet writes this one-line printable-ASCII text plain in block context (its scalar analysis):
    /// no leading or trailing space, no indicator first, no document marker, no ": " and no " #" inside.
    /// </summary>
    private static bool PlainAllowed(string value)
    {
        if (value[0] == ' ' || value[^1] == ' ' || value.StartsWith("---", StringComparison.Ordinal) || value.StartsWith("...", StringComparison.Ordinal))
        {
            return false;
        }

        var followedBySpace = value.Length == 1 || value[1] == ' ';
        switch (value[0])
        {
            case '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`':
                return false;
            case '?' or ':' or '-' when followedBySpace:
                return false;
        }

        for (var i = 1; i < value.Length; i++)
        {
            switch (value[i])
            {
                case ':' when i + 1 == value.Length || value[i + 1] == ' ':
                    return false;
                case '#' when value[i - 1] == ' ':
                    return false;
            }
        }

        return true;
    }

    // ---- emitter path -----------------------------------------------------------------------------------------

    private static void Emit(IEmitter emitter, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var empty = IsEmpty(element);
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, empty ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var property in element.EnumerateObject())
                {
                    EmitString(emitter, property.Name);
                    Emit(emitter, property.Value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                var none = element.GetArrayLength() == 0;
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, none ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in element.EnumerateArray())
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValueKind.String:
                EmitString(emitter, element.GetString()!);
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                Plain(emitter, "null");
                break;
            default:
                Plain(emitter, element.GetRawText());
                break;
        }
    }

    private static void Plain(IEmitter emitter, string text)
        => emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));

    private static void EmitString(IEmitter emitter, string value)
    {
        ScalarStyle style;
        if (value.Contains('\n', StringComparison.Ordinal) && !value.Contains('\r', StringComparison.Ordinal) && !value.EndsWith(' ') && !value.Contains('\t', StringComparison.Ordinal))
        {
            style = ScalarStyle.Literal;
        }
        else if (value.Length == 0 || ScalarNode.Plain(value, SourceLocation.None).Kind != ScalarKind.String || NeedsQuotes(value))
        {
            style = ScalarStyle.DoubleQuoted;
        }
        else
        {
            style = ScalarStyle.Any;
        }

        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: style == ScalarStyle.Any, isQuotedImplicit: true));
    }

    // YAML 1.1 readers (kubectl's sigs.k8s.io/yaml among them) read these as booleans or merge keys.
    private static bool NeedsQuotes(string value) => value is "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO"
        or "on" or "On" or "ON" or "off" or "Off" or "OFF" or "<<" or "~" || value.Contains('$', StringComparison.Ordinal);
}
