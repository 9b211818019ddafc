using Berth.Compose.Diagnostics;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class EnvironmentSyntaxTests
{
    [Fact]
    public void List_SplitsAtFirstEquals_KeyOnlyIsNull()
    {
        Assert.Equal(Expect("""
            A: "1"
            B: x=y
            BU: ""
            ZO: null
            """), Service("environment:\n  - A=1\n  - B=x=y\n  - BU=\n  - ZO", "environment"));
    }

    [Fact]
    public void Map_ScalarsBecomeStrings_NullStaysNull()
    {
        Assert.Equal(Expect("""
            BAR: "2"
            BU: ""
            FOO: "true"
            GA: "2.5"
            OCT: "288"
            ZO: null
            """), Service("environment:\n  FOO: true\n  BAR: 2\n  GA: 2.5\n  BU: \"\"\n  ZO:\n  OCT: 0440", "environment"));
    }

    [Fact]
    public void List_RepeatedName_LastWins()
    {
        Assert.Equal(Expect("""
            A: "2"
            """), Service("environment: [A=1, A=2]", "environment"));
    }

    [Fact]
    public void List_TrailingSpaceInName_IsAnError()
    {
        var error = Assert.Single(ServiceErrors("environment:\n  - DEBUG = true"));
        Assert.Equal(DiagnosticCodes.InvalidValue, error.Code);
        Assert.Contains("trailing space", error.Message, StringComparison.Ordinal);
        Assert.Equal("services.web.environment[0]", error.YamlPath);
        Assert.Equal(4, error.Location.Line);
    }

    [Fact]
    public void List_EmptyName_IsAnError()
    {
        var error = Assert.Single(ServiceErrors("environment: [A=1, =x]"));
        Assert.Equal("services.web.environment[1]", error.YamlPath);
    }

    [Fact]
    public void Converted_KeepsTagAndLocations()
    {
        var (document, _) = Canonicalize(WrapService("environment: !reset\n  - A=1"));
        var environment = Assert.IsType<Berth.Compose.Yaml.MappingNode>(Web(document)["environment"]);
        Assert.Equal("!reset", environment.Tag);
        Assert.Equal(new SourceLocation(FileName, 4, 9), environment.Entries[0].Key.Location);
        Assert.Equal(new SourceLocation(FileName, 4, 9), environment["A"]!.Location);
    }

    [Fact]
    public void Hooks_EnvironmentAndCommandAreConverted()
    {
        Assert.Equal(Expect("""
            - command:
              - ./start.sh
              - --fast
              environment:
                FOO: BAR
              user: root
            """), Service("post_start:\n  - command: ./start.sh --fast\n    user: root\n    environment: [FOO=BAR]", "post_start"));
    }
}
