using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class StringOrListSyntaxTests
{
    [Theory]
    [InlineData("dns", "8.8.8.8")]
    [InlineData("dns_search", "example.com")]
    [InlineData("tmpfs", "/run")]
    [InlineData("cap_add", "ALL")]
    [InlineData("cap_drop", "NET_ADMIN")]
    [InlineData("security_opt", "label=level:s0")]
    [InlineData("profiles", "debug")]
    [InlineData("external_links", "redis_1")]
    [InlineData("links", "db:database")]
    [InlineData("label_file", "./app.label")]
    public void SingleString_BecomesOneItemList(string key, string value)
    {
        Assert.Equal(Expect($"- {value}"), Service($"{key}: {value}", key));
    }

    [Fact]
    public void List_IsTheSameObject()
    {
        var (document, _) = Canonicalize(WrapService("dns: [8.8.8.8, 9.9.9.9]\nimage: x"));
        var again = Berth.Compose.Transform.SyntaxCanonicalizer.Canonicalize(document, new Berth.Compose.Diagnostics.DiagnosticBag());
        Assert.Same(document, again);
    }
}
