using Berth.StackService.Swarm;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// <c>--filter key=value</c> applied by Berth itself (Kubernetes has no such server-side filter): repeated keys are
/// OR-ed, different keys AND-ed, as docker does. Values match as prefixes (docker matches names and IDs by prefix);
/// a name may carry the <c>&lt;stack&gt;_</c> prefix Swarm names have.
/// </summary>
internal sealed class ClientFilters
{
    public static readonly string[] ServiceKeys = ["id", "mode", "name"];
    public static readonly string[] PodKeys = ["id", "name", "node", "service"];

    private readonly Dictionary<string, List<string>> _values;

    private ClientFilters(Dictionary<string, List<string>> values) => _values = values;

    /// <summary>The filters; a <see cref="StackUsageException"/> for an unknown key or a malformed value.</summary>
    public static ClientFilters Parse(string stack, IEnumerable<string> filters, IReadOnlyCollection<string> allowedKeys)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var filter in filters)
        {
            var (key, value) = FilterPair.Parse(filter, allowedKeys, " for Kubernetes");
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

        return new ClientFilters(values);
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
