using Berth.Stacks;

namespace Berth.Swarm.Convert;

/// <summary>Label and option maps: the stack label added, keys sorted as docker sends them.</summary>
internal static class LabelMaps
{
    public static Dictionary<string, string> Labels(Dictionary<string, string>? labels, string stack)
    {
        var all = new Dictionary<string, string>(labels ?? [], StringComparer.Ordinal)
        {
            [StackLabels.StackNamespace] = stack,
        };
        return Sorted(all)!;
    }

    public static Dictionary<string, string> ServiceLabels(Dictionary<string, string>? labels, string stack, string image)
    {
        var all = Labels(labels, stack);
        all[SwarmLabels.StackImage] = image;
        return Sorted(all)!;
    }

    public static Dictionary<string, string>? Sorted(Dictionary<string, string>? map)
        => map?.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
}
