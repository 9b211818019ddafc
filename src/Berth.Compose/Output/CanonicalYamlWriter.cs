using Berth.Compose.Yaml;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Berth.Compose.Output;

/// <summary>Writes a node tree as YAML in canonical form: stable key order, strings quoted only where YAML would misread them.</summary>
public static class CanonicalYamlWriter
{
    public static string Write(ComposeNode root)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        Write(root, writer);
        return writer.ToString();
    }

    public static void Write(ComposeNode root, TextWriter output)
    {
        var emitter = new Emitter(output, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024, indentSequences: false));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, root, topLevel: true);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
    }

    private static void Emit(IEmitter emitter, ComposeNode node, bool topLevel)
    {
        switch (node)
        {
            case MappingNode map:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var entry in CanonicalOrder.Entries(map, topLevel))
                {
                    EmitString(emitter, entry.Name);
                    Emit(emitter, entry.Value, topLevel: false);
                }

                emitter.Emit(new MappingEnd());
                break;
            case SequenceNode seq:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, seq.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in seq.Items)
                {
                    Emit(emitter, item, topLevel: false);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case ScalarNode scalar:
                EmitScalar(emitter, scalar);
                break;
            default:
                throw new InvalidOperationException($"unknown node type {node.GetType().Name}");
        }
    }

    private static void EmitScalar(IEmitter emitter, ScalarNode scalar)
    {
        switch (scalar.Kind)
        {
            case ScalarKind.Null:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case ScalarKind.String:
                EmitString(emitter, scalar.Value);
                break;
            default:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, scalar.Value, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string value)
    {
        ScalarStyle style;
        if (value.Contains('\n', StringComparison.Ordinal) && !value.Contains('\r', StringComparison.Ordinal) && !value.EndsWith(' '))
        {
            style = ScalarStyle.Literal;
        }
        else if (value.Length == 0 || ScalarResolver.Resolve(value).Kind != ScalarKind.String || NeedsQuotes(value))
        {
            style = ScalarStyle.DoubleQuoted;
        }
        else
        {
            style = ScalarStyle.Any;
        }

        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value, style, isPlainImplicit: style == ScalarStyle.Any, isQuotedImplicit: true));
    }

    // Strings that YAML 1.1 readers (older tools) would read as booleans are quoted too, so output means the same everywhere.
    private static bool NeedsQuotes(string value) => value is "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO"
        or "on" or "On" or "ON" or "off" or "Off" or "OFF" or "<<" || value.Contains('$', StringComparison.Ordinal);
}
