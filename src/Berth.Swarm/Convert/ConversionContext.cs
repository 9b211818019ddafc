using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Yaml;

namespace Berth.Swarm.Convert;

/// <summary>One conversion's inputs and diagnostics, and the names the stack gives to networks, volumes, secrets and configs.</summary>
internal sealed class ConversionContext(ComposeProject project, SwarmConvertOptions options)
{
    public ComposeProject Project { get; } = project;

    public SwarmConvertOptions Options { get; } = options;

    public string Stack { get; } = options.Stack;

    public DiagnosticBag Diagnostics { get; } = new();

    public bool IsExternal(string networkKey) => Project.Networks.Map(networkKey)?.Bool("external") == true;

    public string NetworkName(string key)
    {
        var node = Project.Networks.Map(key) ?? MappingNode.Empty(Project.Root.Location);
        return IsExternal(key) ? node.Str("name") ?? key : ScopedName(key, node);
    }

    /// <summary>
    /// <c>&lt;stack&gt;_&lt;key&gt;</c> unless the file gives its own <c>name</c>. The loader writes
    /// <c>&lt;project&gt;_&lt;key&gt;</c> as the default name, which is re-scoped to the stack.
    /// </summary>
    public string ScopedName(string key, MappingNode node)
    {
        var name = node.Str("name");
        return name is null || name == SwarmConverter.Scope(Project.Name, key) ? SwarmConverter.Scope(Stack, key) : name;
    }
}
