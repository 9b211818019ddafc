using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class BuildSyntaxTests
{
    [Fact]
    public void String_BecomesContext()
    {
        Assert.Equal(Expect("""
            context: ./dir
            """), Service("build: ./dir", "build"));
    }

    [Fact]
    public void Mapping_ListFormsAreConverted()
    {
        Assert.Equal(Expect("""
            additional_contexts:
              foo: ./bar
            args:
              FROM_ENV: null
              foo: bar
              num: "1"
            context: .
            labels:
              FOO: BAR
            tags:
            - "1.0"
            """), Service("build:\n  context: .\n  args: [foo=bar, FROM_ENV, num=1]\n  labels: [FOO=BAR]\n  additional_contexts: [foo=./bar]\n  tags: [1.0]", "build"));
    }

    [Fact]
    public void Ulimits_SingleNumberSetsBoth()
    {
        Assert.Contains("soft: 1024", Service("build:\n  context: .\n  ulimits: {nofile: 1024}", "build"), StringComparison.Ordinal);
    }
}
