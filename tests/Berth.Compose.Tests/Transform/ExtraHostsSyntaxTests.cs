using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class ExtraHostsSyntaxTests
{
    [Fact]
    public void List_BothSeparators_RepeatedHostsCollect()
    {
        Assert.Equal(Expect("""
            alpha:
            - 50.31.209.229
            myhostv6:
            - ::1
            - ::2
            zulu:
            - 127.0.0.2
            - ff02::1
            """), Service("extra_hosts:\n  - \"alpha:50.31.209.229\"\n  - \"zulu:127.0.0.2\"\n  - \"zulu:ff02::1\"\n  - \"myhostv6=[::1]\"\n  - \"myhostv6:::2\"", "extra_hosts"));
    }

    [Fact]
    public void List_CommaSeparatedIps()
    {
        Assert.Equal(Expect("""
            myhost:
            - 0.0.0.1
            - 0.0.0.2
            """), Service("extra_hosts: [\"myhost=0.0.0.1,0.0.0.2\"]", "extra_hosts"));
    }

    [Fact]
    public void Map_StringAndListValues()
    {
        Assert.Equal(Expect("""
            alpha:
            - 50.31.209.229
            myhost:
            - 0.0.0.1
            - ::1
            """), Service("extra_hosts:\n  alpha: \"50.31.209.229\"\n  myhost: [\"0.0.0.1\", \"[::1]\"]", "extra_hosts"));
    }

    [Fact]
    public void BuildExtraHosts_AreConverted()
    {
        Assert.Contains("- 10.0.0.1", Service("build:\n  context: .\n  extra_hosts: [\"db=10.0.0.1\"]", "build"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("justahost", "has no IP address")]
    [InlineData("=1.2.3.4", "has no valid host name")]
    public void Invalid_ReportsBC405(string entry, string message)
    {
        var error = Assert.Single(ServiceErrors($"extra_hosts: [\"ok=1.1.1.1\", \"{entry}\"]"));
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("services.web.extra_hosts[1]", error.YamlPath);
        Assert.Contains("HOST=IP", error.Hint, StringComparison.Ordinal);
    }
}
