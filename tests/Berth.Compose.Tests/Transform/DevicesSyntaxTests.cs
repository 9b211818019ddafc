using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class DevicesSyntaxTests
{
    [Fact]
    public void ShortSyntax_AllForms()
    {
        Assert.Equal(Expect("""
            - permissions: permissions
              source: /dev/source
              target: /dev/target
            - permissions: rwm
              source: /dev/single
              target: /dev/single
            - permissions: rwm
              source: vendor1.com/device=gpu
              target: vendor1.com/device=gpu
            - permissions: r
              source: /dev/sda
              target: /dev/xvda
            """), Service("devices:\n  - /dev/source:/dev/target:permissions\n  - /dev/single\n  - vendor1.com/device=gpu\n  - {source: /dev/sda, target: /dev/xvda, permissions: r}", "devices"));
    }

    [Fact]
    public void String_BecomesList()
    {
        Assert.Contains("source: /dev/fuse", Service("devices: /dev/fuse", "devices"), StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyColons_IsAnError()
    {
        var error = Assert.Single(ServiceErrors("devices: [\"/a:/b:rwm:x\"]"));
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Equal("services.web.devices[0]", error.YamlPath);
    }
}
