using System.Globalization;
using Berth.Compose.Diagnostics;

namespace Berth.Compose.Yaml;

/// <summary>A scalar: its text as written (after interpolation), and the type it resolves to.</summary>
public sealed class ScalarNode : ComposeNode
{
    public ScalarNode(string value, ScalarKind kind, SourceLocation location, string? tag = null, bool quoted = false)
        : base(location, tag, 1)
    {
        Value = value;
        Kind = kind;
        Quoted = quoted;
    }

    /// <summary>The text; for Int and Bool scalars, the canonical spelling (e.g. 0o17 becomes 15).</summary>
    public string Value { get; }

    public ScalarKind Kind { get; }

    /// <summary>True when the YAML source quoted the scalar (so it is a string whatever it looks like).</summary>
    public bool Quoted { get; }

    public bool IsNull => Kind == ScalarKind.Null;

    /// <summary>Makes a plain scalar, resolving its type the way a YAML 1.2 parser would.</summary>
    public static ScalarNode Plain(string text, SourceLocation location, string? tag = null)
    {
        var (kind, canonical) = ScalarResolver.Resolve(text);
        return new ScalarNode(canonical, kind, location, tag);
    }

    public static ScalarNode String(string text, SourceLocation location) => new(text, ScalarKind.String, location, null, quoted: true);

    public static ScalarNode Null(SourceLocation location) => new(string.Empty, ScalarKind.Null, location);

    public static ScalarNode Bool(bool value, SourceLocation location) => new(value ? "true" : "false", ScalarKind.Bool, location);

    public static ScalarNode Int(long value, SourceLocation location) => new(value.ToString(CultureInfo.InvariantCulture), ScalarKind.Int, location);

    public ScalarNode WithValue(string text, ScalarKind kind) => new(text, kind, Location, Tag, Quoted);

    public override ComposeNode WithoutTag() => Tag is null ? this : new ScalarNode(Value, Kind, Location, null, Quoted);

    public override bool SameValueAs(ComposeNode other)
        => other is ScalarNode s && s.Kind == Kind && string.Equals(s.Value, Value, StringComparison.Ordinal);

    /// <summary>The value as a string the way Compose reads it where a string is expected (true, 3, 1.5, "").</summary>
    public string AsString() => Kind == ScalarKind.Null ? string.Empty : Value;

    public bool TryGetInt64(out long value)
    {
        if (Kind == ScalarKind.Int)
        {
            return long.TryParse(Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        }

        if (Kind == ScalarKind.String)
        {
            var (kind, canonical) = ScalarResolver.Resolve(Value.Trim());
            if (kind == ScalarKind.Int)
            {
                return long.TryParse(canonical, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            }
        }

        value = 0;
        return false;
    }

    public override string ToString() => Value;
}
