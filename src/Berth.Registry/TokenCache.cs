using System.Collections.Concurrent;

namespace Berth.Registry;

/// <summary>
/// Bearer tokens by token server, service, scope and user, kept for the lifetime the token server gave
/// (<c>expires_in</c>; 60 s when it gave none, as the token spec says), so resolving many images of one repository asks
/// the token server once.
/// </summary>
internal sealed class TokenCache(TimeProvider time)
{
    /// <summary>The token spec's lifetime when the answer has no <c>expires_in</c>.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<TokenKey, CachedToken> _tokens = new();

    public string? Find(TokenKey key)
    {
        if (!_tokens.TryGetValue(key, out var cached))
        {
            return null;
        }

        // A token that ends within a tenth of its lifetime is not used: the request might reach the registry after it.
        if (time.GetUtcNow() < cached.Expires - (cached.Lifetime / 10))
        {
            return cached.Token;
        }

        _tokens.TryRemove(key, out _);
        return null;
    }

    /// <summary>Drops <paramref name="token"/> (the registry refused it: revoked, signed with a key it no longer trusts, or without the access needed).</summary>
    public void Forget(string token)
    {
        foreach (var entry in _tokens)
        {
            if (entry.Value.Token == token)
            {
                _tokens.TryRemove(entry);
            }
        }
    }

    public void Add(TokenKey key, string token, TimeSpan lifetime)
        => _tokens[key] = new CachedToken(token, time.GetUtcNow() + lifetime, lifetime);

    private sealed record CachedToken(string Token, DateTimeOffset Expires, TimeSpan Lifetime);
}

/// <summary>What a token is good for: the token server (realm), its service, the scope, and whose token it is ("" anonymous).</summary>
internal sealed record TokenKey(string Realm, string Service, string Scope, string User);
