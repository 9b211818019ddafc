using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Berth.Console.Stacks;

/// <summary>
/// Submissions between the review and the deploy, in memory only (nothing is saved; Portainer #4469), so the files a
/// user uploaded once need not travel through the page again: the review page carries only the draft's id, and
/// secrets' files never reach the browser. A draft belongs to the account that made it and expires after an hour.
/// </summary>
internal sealed class DeployDrafts(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (string Account, DeployInput Input, DateTimeOffset At)> _drafts = new(StringComparer.Ordinal);

    public string Put(string account, DeployInput input)
    {
        var now = clock.GetUtcNow();
        foreach (var (id, draft) in _drafts)
        {
            if (now - draft.At > Lifetime)
            {
                _drafts.TryRemove(id, out _);
            }
        }

        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        _drafts[key] = (account, input, now);
        return key;
    }

    /// <summary>The account's draft of that id, or null (unknown, expired, or another account's).</summary>
    public DeployInput? Find(string account, string? id) =>
        id is not null && _drafts.TryGetValue(id, out var draft) && string.Equals(draft.Account, account, StringComparison.OrdinalIgnoreCase) && clock.GetUtcNow() - draft.At <= Lifetime
            ? draft.Input
            : null;
}
