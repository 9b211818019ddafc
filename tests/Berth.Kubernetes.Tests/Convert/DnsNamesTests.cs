using Berth.Stacks;

namespace Berth.Kubernetes.Tests.Convert;

public sealed class DnsNamesTests
{
    [Theory]
    [InlineData("web", "web")]
    [InlineData("Web_App.v2", "web-app-v2")]
    [InlineData("1st", "s-1st")]
    [InlineData("a__b", "a-b")]
    public void ToDns1035Label_MakesValidNames(string input, string expected)
    {
        var name = DnsNames.ToDns1035Label(input);
        Assert.Equal(expected, name);
        Assert.True(DnsNames.IsDns1035Label(name));
    }

    [Fact]
    public void ToDns1035Label_LongNames_StayDistinct()
    {
        var a = DnsNames.ToDns1035Label(new string('a', 70) + "1");
        var b = DnsNames.ToDns1035Label(new string('a', 70) + "2");
        Assert.NotEqual(a, b);
        Assert.True(a.Length <= 63);
    }

    [Fact]
    public void NameRegistry_ReportsTheFirstOwner()
    {
        var registry = new NameRegistry();
        Assert.Null(registry.Claim("Service", "web", "a"));
        Assert.Null(registry.Claim("Service", "web", "a"));
        Assert.Equal("a", registry.Claim("Service", "web", "b"));
    }
}
