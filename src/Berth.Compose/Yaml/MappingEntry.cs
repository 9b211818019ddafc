namespace Berth.Compose.Yaml;

/// <summary>One key/value pair of a mapping. Keys are always scalars in Compose files.</summary>
public readonly record struct MappingEntry(ScalarNode Key, ComposeNode Value)
{
    public string Name => Key.AsString();
}
