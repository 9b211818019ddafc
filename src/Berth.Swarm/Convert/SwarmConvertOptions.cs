using System.Collections.Immutable;

namespace Berth.Swarm.Convert;

/// <summary>Inputs of the Swarm conversion besides the project.</summary>
public sealed record SwarmConvertOptions
{
    /// <summary>The stack name: the prefix of every object name and the value of the namespace label.</summary>
    public required string Stack { get; init; }

    /// <summary>
    /// Contents of the files and environment variables that secrets and configs name, read before conversion
    /// (see <see cref="ResourceContentReader"/>) so the converter stays pure. Keyed by absolute path or <c>env:NAME</c>.
    /// </summary>
    public ImmutableDictionary<string, ImmutableArray<byte>> Contents { get; init; } = ImmutableDictionary<string, ImmutableArray<byte>>.Empty;
}
