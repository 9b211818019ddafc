using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>
/// What a stack should look like on a Swarm: the specs to create or update, in the Engine API's own types so
/// Apply sends them as they are. The spec objects are mutable library types; nothing changes them after
/// conversion except Apply filling in secret and config IDs on a copy.
/// </summary>
public sealed record SwarmPlan(
    string Stack,
    ImmutableArray<SwarmServicePlan> Services,
    ImmutableArray<SwarmNetworkPlan> Networks,
    ImmutableArray<SwarmSecretPlan> Secrets,
    ImmutableArray<SwarmConfigPlan> Configs,
    ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}

/// <summary>A service: its Compose name, the full spec, and the hash of that spec (also in its labels).</summary>
public sealed record SwarmServicePlan(string ComposeName, ServiceSpec Spec, string SpecHash)
{
    public string Name => Spec.Name ?? ComposeName;
}

/// <summary>A network the stack uses. External ones are only checked, never created.</summary>
public sealed record SwarmNetworkPlan(string ComposeName, string Name, bool External, NetworksCreateParameters? Create);

/// <summary>
/// A secret. Stack-owned secrets get a content-addressed name, so changed content is a new object instead of
/// an update the engine refuses. <see cref="Spec"/> holds the data and must never be logged.
/// </summary>
public sealed record SwarmSecretPlan(string ComposeName, string Name, bool External, SwarmSecretSpec? Spec);

/// <summary>A config, named like secrets.</summary>
public sealed record SwarmConfigPlan(string ComposeName, string Name, bool External, SwarmConfigSpec? Spec);
