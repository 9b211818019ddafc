namespace Berth.Compose.Yaml;

/// <summary>The type a scalar resolves to under YAML 1.2's core schema (the one compose-go uses).</summary>
public enum ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}
