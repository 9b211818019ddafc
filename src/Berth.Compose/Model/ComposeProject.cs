using System.Collections.Immutable;
using Berth.Compose.Yaml;

namespace Berth.Compose.Model;

/// <summary>
/// A loaded, merged, interpolated and canonical Compose project: orchestrator-neutral and immutable.
/// <see cref="Root"/> is the canonical document (what <c>berth config</c> prints); every node in it
/// keeps the file and line it came from.
/// </summary>
public sealed class ComposeProject
{
    public ComposeProject(string name, string workingDirectory, ImmutableArray<string> composeFiles, MappingNode root, ImmutableDictionary<string, string> environment)
    {
        Name = name;
        WorkingDirectory = workingDirectory;
        ComposeFiles = composeFiles;
        Root = root;
        Environment = environment;
    }

    public string Name { get; }

    public string WorkingDirectory { get; }

    public ImmutableArray<string> ComposeFiles { get; }

    public MappingNode Root { get; }

    /// <summary>The variables interpolation used (process environment over .env files).</summary>
    public ImmutableDictionary<string, string> Environment { get; }

    public MappingNode Services => Section("services");

    public MappingNode Networks => Section("networks");

    public MappingNode Volumes => Section("volumes");

    public MappingNode Secrets => Section("secrets");

    public MappingNode Configs => Section("configs");

    public IEnumerable<string> ServiceNames => Services.Keys;

    public MappingNode? Service(string name) => Services[name] as MappingNode;

    private MappingNode Section(string key) => Root[key] as MappingNode ?? MappingNode.Empty(Root.Location);
}
