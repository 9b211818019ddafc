namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>--filter key=value</c> as docker takes it: repeated keys are OR-ed, different keys AND-ed, and the engine
/// applies them together with the stack's label. A name may be given with or without the <c>&lt;stack&gt;_</c>
/// prefix (the engine matches name prefixes), so <c>name=web</c> finds <c>mystack_web</c>.
/// </summary>
internal static class StackFilters
{
    /// <summary>The engine filter, or an error message for an unknown key or a malformed value.</summary>
    public static (IDictionary<string, IDictionary<string, bool>>? Filters, string? Error) Build(string stack, IEnumerable<string> filters, IReadOnlyCollection<string> allowedKeys)
    {
        var result = Swarm.Apply.StackOwnership.StackFilter(stack);
        foreach (var filter in filters)
        {
            var (key, value, error) = ParsePair(filter, allowedKeys, string.Empty);
            if (error is not null)
            {
                return (null, error);
            }

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

        return (result, null);
    }

    /// <summary>Splits one <c>key=value</c> filter; an error for a malformed filter or a key not in <paramref name="allowedKeys"/>.</summary>
    public static (string Key, string Value, string? Error) ParsePair(string filter, IReadOnlyCollection<string> allowedKeys, string scope)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(allowedKeys);
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return (string.Empty, string.Empty, $"bad format of filter '{filter}' (expected name=value)");
        }

        var key = filter[..eq].Trim().ToLowerInvariant();
        var value = filter[(eq + 1)..].Trim();
        return allowedKeys.Contains(key)
            ? (key, value, null)
            : (key, value, $"invalid filter '{key}'{scope}: use one of {string.Join(", ", allowedKeys)}");
    }
}
