using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class LabelsSyntaxTests
{
    [Theory]
    [InlineData("labels")]
    [InlineData("annotations")]
    [InlineData("sysctls")]
    public void List_BecomesStringMap_KeyOnlyIsEmpty(string key)
    {
        Assert.Equal(Expect("""
            a.b: c
            empty: ""
            num: "42"
            """), Service($"{key}: [a.b=c, num=42, empty]", key));
    }

    [Fact]
    public void Map_ValuesBecomeStrings_NullBecomesEmpty()
    {
        Assert.Equal(Expect("""
            com.example.description: Accounting webapp
            com.example.empty-label: ""
            com.example.number: "42"
            """), Service("labels:\n  com.example.description: \"Accounting webapp\"\n  com.example.number: 42\n  com.example.empty-label:", "labels"));
    }

    [Fact]
    public void Sysctls_NumbersBecomeStrings()
    {
        Assert.Equal(Expect("""
            net.core.somaxconn: "1024"
            net.ipv4.tcp_syncookies: "0"
            """), Service("sysctls:\n  net.core.somaxconn: 1024\n  net.ipv4.tcp_syncookies: 0", "sysctls"));
    }

    [Fact]
    public void DeployLabels_AreConverted()
    {
        Assert.Equal(Expect("""
            labels:
              FOO: BAR
            mode: replicated
            """), Service("deploy:\n  mode: replicated\n  labels: [FOO=BAR]", "deploy"));
    }

    [Fact]
    public void ServiceNetworkDriverOpts_AreStrings()
    {
        Assert.Equal(Expect("""
            front:
              driver_opts:
                mtu: "1500"
            """), Service("networks:\n  front:\n    driver_opts: {mtu: 1500}", "networks"));
    }
}
