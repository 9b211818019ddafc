using Berth.Swarm.Apply;

namespace Berth.StackService.Swarm;

/// <summary>
/// <c>--filter key=value</c> as docker takes it: repeated keys are OR-ed, different keys AND-ed, and the engine
/// applies them together with the stack's label. A name may be given with or without the <c>&lt;stack&gt;_</c>
/// prefix (the engine matches name prefixes), so <c>name=web</c> finds <c>mystack_web</c>.
/// </summary>
internal static class SwarmFilters
{
    public static readonly string[] ServiceKeys = ["id", "label", "mode", "name"];
    public static readonly string[] TaskKeys = ["id", "name", "node", "desired-state", "service", "label"];

    /// <summary>The engine filter; a <see cref="StackUsageException"/> for an unknown key or a malformed value.</summary>
    public static IDictionary<string, IDictionary<string, bool>> Build(string stack, IEnumerable<string> filters, IReadOnlyCollection<string> allowedKeys)
    {
        var result = StackOwnership.StackFilter(stack);
        foreach (var filter in filters)
        {
            var (key, value) = FilterPair.Parse(filter, allowedKeys, string.Empty);
            if (!result.TryGetValue(key, out var values))
            {
                values = new Dictionary<string, bool>(StringComparer.Ordinal);
                result[key] = values;
            }

            values[value] = true;
            if (key == "name" && !value.StartsWith(stack + "_", StringComparison.Ordinal))
            {
                values[$"{stack}_{value}"] = true;
            }
        }

        return result;
    }
}

/// <summary>One <c>key=value</c> filter.</summary>
internal static class FilterPair
{
    /// <summary>Splits the filter; a <see cref="StackUsageException"/> for a malformed filter or a key not in <paramref name="allowedKeys"/>.</summary>
    public static (string Key, string Value) Parse(string filter, IReadOnlyCollection<string> allowedKeys, string scope)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(allowedKeys);
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new StackUsageException($"bad format of filter '{filter}' (expected name=value)");
        }

        var key = filter[..eq].Trim().ToLowerInvariant();
        var value = filter[(eq + 1)..].Trim();
        return allowedKeys.Contains(key)
            ? (key, value)
            : throw new StackUsageException($"invalid filter '{key}'{scope}: use one of {string.Join(", ", allowedKeys)}");
    }
}
