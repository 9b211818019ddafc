using Berth.ApiServer.Security;

namespace Berth.ApiServer.Tests;

public sealed class TokenFileTests
{
    [Fact]
    public void Parse_KubeApiServerCsv_QuotedGroupsSplitOnCommas()
    {
        var file = TokenFile.Parse("# comment\nt1,alice,uid-a,\"dev,ops\"\nt2,bob,uid-b\n\n", "tokens.csv");
        var alice = file.Find("t1");
        Assert.NotNull(alice);
        Assert.Equal("alice", alice.Name);
        Assert.Equal("uid-a", alice.Uid);
        Assert.Equal(["dev", "ops"], alice.Groups);
        Assert.Empty(file.Find("t2")!.Groups);
        Assert.Null(file.Find("t3"));
        Assert.Null(file.Find("t"));
        Assert.Equal(2, file.Count);
    }

    [Fact]
    public void Parse_ShortLine_NamesTheLineButNotTheToken()
    {
        var error = Assert.Throws<FormatException>(() => TokenFile.Parse("ok,u,1\nsecret-token-value,bob\n", "tokens.csv"));
        Assert.Contains("tokens.csv:2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnterminatedQuote_IsAnError()
        => Assert.Throws<FormatException>(() => TokenFile.Parse("t,u,1,\"a,b\n", "f"));
}
