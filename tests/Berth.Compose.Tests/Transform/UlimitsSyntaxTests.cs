using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class UlimitsSyntaxTests
{
    [Fact]
    public void SingleNumber_SetsSoftAndHard_MappingIsKept()
    {
        Assert.Equal(Expect("""
            nofile:
              hard: 40000
              soft: 20000
            nproc:
              hard: 65535
              soft: 65535
            """), Service("ulimits:\n  nproc: 65535\n  nofile:\n    soft: 20000\n    hard: 40000", "ulimits"));
    }
}
