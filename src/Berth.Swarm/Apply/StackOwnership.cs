using Berth.Stacks;

namespace Berth.Swarm.Apply;

/// <summary>Which engine objects belong to a stack: only those whose label says so; names alone never count.</summary>
internal static class StackOwnership
{
    public static IDictionary<string, IDictionary<string, bool>> StackFilter(string stack)
        => new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{StackLabels.StackNamespace}={stack}"] = true } };

    public static bool Owned(IDictionary<string, string>? labels, string stack)
        => labels is not null && labels.TryGetValue(StackLabels.StackNamespace, out var value) && value == stack;

    public static string? Label(IDictionary<string, string>? labels, string key)
        => labels is not null && labels.TryGetValue(key, out var value) ? value : null;
}
