using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class CommandSyntaxTests
{
    [Theory]
    [InlineData("command")]
    [InlineData("entrypoint")]
    public void String_IsSplitLikeAShell(string key)
    {
        Assert.Equal(Expect("""
            - bundle
            - exec
            - thin
            - -p
            - "3000"
            - hello world
            """), Service($"{key}: bundle exec thin -p 3000 'hello world'", key));
    }

    [Fact]
    public void List_ItemsBecomeStrings()
    {
        Assert.Equal(Expect("""
            - /code/entrypoint.sh
            - -p
            - "3000"
            """), Service("entrypoint: [\"/code/entrypoint.sh\", \"-p\", 3000]", "entrypoint"));
    }

    [Fact]
    public void NullAndEmpty_KeepTheirMeaning()
    {
        Assert.Equal(Expect("null"), Service("command:", "command"));
        Assert.Equal(Expect("[]"), Service("command: []", "command"));
    }

    [Fact]
    public void UnterminatedQuote_IsAnError()
    {
        var error = Assert.Single(ServiceErrors("image: x\ncommand: echo \"hello"));
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Contains("unterminated double quote", error.Message, StringComparison.Ordinal);
        Assert.Equal("services.web.command", error.YamlPath);
        Assert.Equal(new SourceLocation(FileName, 4, 14), error.Location);
    }

    [Fact]
    public void HealthcheckTest_StringRunsInShell()
    {
        Assert.Equal(Expect("""
            interval: 10s
            test:
            - CMD-SHELL
            - echo "hello world"
            """), Service("healthcheck:\n  test: echo \"hello world\"\n  interval: 10s", "healthcheck"));
    }

    [Fact]
    public void HealthcheckTest_ListIsKept()
    {
        Assert.Equal(Expect("""
            test:
            - CMD
            - curl
            - -f
            - http://localhost
            """), Service("healthcheck:\n  test: [CMD, curl, -f, \"http://localhost\"]", "healthcheck"));
    }
}
