using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class ResourceReferenceSyntaxTests
{
    [Fact]
    public void Networks_List_BecomesMappingOfNulls()
    {
        Assert.Equal(Expect("""
            back: null
            front: null
            """), Service("networks: [front, back]", "networks"));
    }

    [Fact]
    public void Networks_Mapping_IsKept()
    {
        Assert.Equal(Expect("""
            other: null
            some:
              aliases:
              - alias1
            """), Service("networks:\n  some:\n    aliases: [alias1]\n  other:", "networks"));
    }

    [Theory]
    [InlineData("secrets")]
    [InlineData("configs")]
    public void FileMounts_NameBecomesSource(string key)
    {
        Assert.Equal(Expect("""
            - source: one
            - mode: 288
              source: two
              target: /my
            """), Service($"{key}:\n  - one\n  - source: two\n    target: /my\n    mode: 0440", key));
    }

    [Fact]
    public void BuildSecrets_NameBecomesSource()
    {
        Assert.Contains("- source: npm", Service("build:\n  context: .\n  secrets: [npm]", "build"), StringComparison.Ordinal);
    }
}
