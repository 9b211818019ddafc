using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>deploy.resources and deploy.placement: the task's limits, reservations and scheduling constraints.</summary>
internal static class ResourcesAndPlacement
{
    // Never null: docker stack deploy always sends a resources and a placement block, and the engine stores a
    // spec as sent, so a missing one would be a task-template change (a restart) when either tool takes over.
    public static ResourceRequirements Resources(MappingNode deploy)
    {
        if (deploy.Map("resources") is not { } resources)
        {
            return new ResourceRequirements();
        }

        var result = new ResourceRequirements();
        if (resources.Map("limits") is { } limits)
        {
            result.Limits = new SwarmLimit { NanoCPUs = NanoCpus(limits), MemoryBytes = limits.Int("memory"), Pids = limits.Int("pids") };
        }

        if (resources.Map("reservations") is { } reservations)
        {
            result.Reservations = new SwarmResources
            {
                NanoCPUs = NanoCpus(reservations),
                MemoryBytes = reservations.Int("memory"),
                GenericResources = reservations.Seq("generic_resources") is { } generic
                    ? [.. generic.Items.OfType<MappingNode>().Select(GenericResource).OfType<GenericResource>()]
                    : null,
            };
        }

        return result;
    }

    private static GenericResource? GenericResource(MappingNode node)
    {
        if (node.Map("discrete_resource_spec") is { } discrete)
        {
            return new GenericResource { DiscreteResourceSpec = new DiscreteGenericResource { Kind = discrete.Str("kind"), Value = discrete.Int("value") } };
        }

        return node.Map("named_resource_spec") is { } named
            ? new GenericResource { NamedResourceSpec = new NamedGenericResource { Kind = named.Str("kind"), Value = named.Str("value") } }
            : null;
    }

    private static long? NanoCpus(MappingNode node)
        => node.Double("cpus") is { } cpus ? (long)Math.Round(cpus * 1e9) : null;

    public static Placement Placement(MappingNode deploy)
    {
        if (deploy.Map("placement") is not { } placement)
        {
            return new Placement();
        }

        return new Placement
        {
            Constraints = placement.Strings("constraints"),
            Preferences = placement.Seq("preferences") is { } prefs
                ? [.. prefs.Items.OfType<MappingNode>().Select(p => p.Str("spread")).OfType<string>().Select(s => new PlacementPreference { Spread = new SpreadOver { SpreadDescriptor = s } })]
                : null,
            MaxReplicas = placement.Int("max_replicas_per_node") is { } max ? (ulong)Math.Max(0, max) : null,
        };
    }
}
