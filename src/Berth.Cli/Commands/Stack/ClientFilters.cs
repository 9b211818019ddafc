namespace Berth.Cli.Commands.Stack;

/// <summary>
/// <c>--filter key=value</c> applied by Berth itself (Kubernetes has no such server-side filter): repeated keys are
/// OR-ed, different keys AND-ed, as docker does. Values match as prefixes (docker matches names and IDs by prefix);
/// a name may carry the <c>&lt;stack&gt;_</c> prefix Swarm names have.
/// </summary>
internal sealed class ClientFilters
{
    private readonly Dictionary<string, List<string>> _values;

    private ClientFilters(Dictionary<string, List<string>> values) => _values = values;

    public static (ClientFilters? Filters, string? Error) Parse(string stack, IEnumerable<string> filters, IReadOnlyCollection<string> allowedKeys)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var filter in filters)
        {
            var (key, value, error) = StackFilters.ParsePair(filter, allowedKeys, " for Kubernetes");
            if (error is not null)
            {
                return (null, error);
            }

            if (key is "name" or "service" && value.StartsWith(stack + "_", StringComparison.Ordinal))
            {
                value = value[(stack.Length + 1)..];
            }

            if (!values.TryGetValue(key, out var list))
            {
                values[key] = list = [];
            }

            list.Add(value);
        }

        return (new ClientFilters(values), null);
    }

    /// <summary>True when every filtered key has a value that <paramref name="field"/> returns a match for.</summary>
    public bool Matches(Func<string, string?> field)
    {
        foreach (var (key, accepted) in _values)
        {
            var actual = field(key) ?? string.Empty;
            var exact = key is "mode";
            if (!accepted.Any(v => exact ? string.Equals(actual, v, StringComparison.OrdinalIgnoreCase) : actual.StartsWith(v, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
