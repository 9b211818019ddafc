namespace Berth.Registry.Tests;

public sealed class TokenCacheTests
{
    private static readonly TokenKey Key = new("http://127.0.0.1:1/token", "svc", "repository:x:pull", "");

    [Fact]
    public void Find_WithinLifetime_ReturnsToken_AfterIt_None()
    {
        var clock = new ManualClock();
        var cache = new TokenCache(clock);
        cache.Add(Key, "t1", TimeSpan.FromSeconds(300));
        clock.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal("t1", cache.Find(Key));

        // Within the last tenth of its life a token is no longer handed out.
        clock.Advance(TimeSpan.FromSeconds(80));
        Assert.Null(cache.Find(Key));
    }

    [Fact]
    public void Find_OtherScopeOrUser_Misses()
    {
        var cache = new TokenCache(new ManualClock());
        cache.Add(Key, "t1", TimeSpan.FromSeconds(300));
        Assert.Null(cache.Find(Key with { Scope = "repository:y:pull" }));
        Assert.Null(cache.Find(Key with { User = "alice" }));
        Assert.Equal("t1", cache.Find(Key with { }));
    }
}
