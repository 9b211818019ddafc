namespace Berth.Stacks;

/// <summary>
/// Remembers which input claimed each generated name, per kind, so that two Compose names that convert
/// to the same orchestrator name (<c>web_1</c> and <c>web-1</c>) are reported instead of silently merged.
/// </summary>
public sealed class NameRegistry
{
    private readonly Dictionary<(string Kind, string Name), string> _owners = [];

    /// <summary>
    /// Claims <paramref name="name"/> of <paramref name="kind"/> for <paramref name="owner"/>. Returns null when
    /// the name is free or already the owner's, otherwise the owner that claimed it first.
    /// </summary>
    public string? Claim(string kind, string name, string owner)
    {
        if (_owners.TryGetValue((kind, name), out var existing))
        {
            return string.Equals(existing, owner, StringComparison.Ordinal) ? null : existing;
        }

        _owners[(kind, name)] = owner;
        return null;
    }

    public bool IsTaken(string kind, string name) => _owners.ContainsKey((kind, name));
}
