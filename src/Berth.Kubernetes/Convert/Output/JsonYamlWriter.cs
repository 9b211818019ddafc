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
internal static class JsonYamlWriter
{
    public static string Write(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024, indentSequences: false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, document.RootElement);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(IEmitter emitter, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var empty = !element.EnumerateObject().Any();
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
