using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Yaml;

public sealed class YamlTreeReaderTests
{
    private static (ComposeNode? Root, DiagnosticBag Bag) Read(string yaml, LoadLimits? limits = null)
    {
        var bag = new DiagnosticBag();
        var docs = YamlTreeReader.Read(yaml, "compose.yaml", limits ?? LoadLimits.Default, bag);
        return (docs.IsEmpty ? null : docs[0], bag);
    }

    [Fact]
    public void Read_PlainScalars_ResolveLikeGoYamlV3()
    {
        var (root, bag) = Read("a: 0440\nb: yes\nc: true\nd: ~\ne: 1.5\nf: '12'\ng: 0x1F\nh: 1_000\n");
        Assert.False(bag.HasErrors);
        var map = Assert.IsType<MappingNode>(root);
        Assert.Equal((ScalarKind.Int, "288"), Kind(map["a"]));
        Assert.Equal((ScalarKind.String, "yes"), Kind(map["b"]));
        Assert.Equal((ScalarKind.Bool, "true"), Kind(map["c"]));
        Assert.Equal(ScalarKind.Null, Kind(map["d"]).Item1);
        Assert.Equal((ScalarKind.Float, "1.5"), Kind(map["e"]));
        Assert.Equal((ScalarKind.String, "12"), Kind(map["f"]));
        Assert.Equal((ScalarKind.Int, "31"), Kind(map["g"]));
        Assert.Equal((ScalarKind.Int, "1000"), Kind(map["h"]));
    }

    [Fact]
    public void Read_MergeKeys_ExplicitKeysWinAndEarlierSourcesWin()
    {
        var (root, bag) = Read("""
            x-a: &a {image: a, user: u1}
            x-b: &b {image: b, tty: true, user: u2}
            svc:
              image: mine
              <<: [*a, *b]
            """);
        Assert.False(bag.HasErrors);
        var svc = Assert.IsType<MappingNode>(((MappingNode)root!)["svc"]);
        Assert.Equal("mine", svc["image"]!.ToString());
        Assert.Equal("u1", svc["user"]!.ToString());
        Assert.Equal("true", svc["tty"]!.ToString());
        Assert.False(svc.ContainsKey("<<"));
    }

    [Fact]
    public void Read_Locations_AreOneBasedLineAndColumn()
    {
        var (root, _) = Read("services:\n  web:\n    image: nginx\n");
        var image = ((MappingNode)((MappingNode)((MappingNode)root!)["services"]!)["web"]!)["image"]!;
        Assert.Equal(new SourceLocation("compose.yaml", 3, 12), image.Location);
    }

    [Fact]
    public void Read_LocalTags_AreKept()
    {
        var (root, _) = Read("ports: !reset []\nimage: !override x\n");
        var map = (MappingNode)root!;
        Assert.True(map["ports"]!.HasTag("!reset"));
        Assert.True(map["image"]!.HasTag("!override"));
    }

    [Fact]
    public void Read_DuplicateKey_IsAnErrorWithBothLines()
    {
        var (_, bag) = Read("a: 1\nb: 2\na: 3\n");
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.DuplicateKey, d.Code);
        Assert.Equal(3, d.Location.Line);
        Assert.Contains("line 1", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SyntaxError_ReportsPosition()
    {
        var (root, bag) = Read("services:\n  web:\n    image: [unclosed\n");
        Assert.Null(root);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.YamlSyntax, d.Code);
        Assert.True(d.Location.Line >= 3);
    }

    [Fact]
    public void Read_LoneCarriageReturnBeforeColon_IsASyntaxErrorNotACrash()
    {
        // Found by LoaderFuzzTests: YamlDotNet emits a mapping with a missing value for this input.
        var (root, bag) = Read("a:\n  - /et0\r:\nb: 1\n");
        Assert.Null(root);
        Assert.Equal(DiagnosticCodes.YamlSyntax, Assert.Single(bag.ToImmutable()).Code);
    }

    [Theory]
    // Issue 9: YamlDotNet's scanner throws InvalidOperationException on a flow collection left open at the end.
    [InlineData(": {\nk", 2, 1)]
    [InlineData("a: [\nb", 2, 1)]
    [InlineData("services:\n  web: {image: x,\n  k", 3, 3)]
    public void Read_FlowCollectionOpenAtTheEnd_IsASyntaxErrorWhereTheParserStopped(string yaml, int line, int column)
    {
        var (root, bag) = Read(yaml);
        Assert.Null(root);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.YamlSyntax, d.Code);
        Assert.Equal(new SourceLocation("compose.yaml", line, column), d.Location);
        Assert.StartsWith("malformed YAML", d.Message, StringComparison.Ordinal);
        Assert.Contains("'{' and '[' is closed", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BillionLaughs_IsRejectedQuickly()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 1; i < 12; i++)
        {
            var refs = string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i - 1)}", 10));
            yaml += $"{(char)('a' + i)}: &{(char)('a' + i)} [{refs}]\n";
        }

        var (root, bag) = Read(yaml);
        Assert.Null(root);
        Assert.Contains(bag.ToImmutable(), d => d.Code == DiagnosticCodes.LimitAliasExpansion);
    }

    [Fact]
    public void Read_DeepNesting_IsRejected()
    {
        var yaml = new string('[', 10_000) + new string(']', 10_000);
        var (root, bag) = Read(yaml);
        Assert.Null(root);
        Assert.Contains(bag.ToImmutable(), d => d.Code == DiagnosticCodes.LimitDepth);
    }

    [Fact]
    public void Read_OversizedDocument_IsRejected()
    {
        var (root, bag) = Read(new string('#', 2000), new LoadLimits { MaxDocumentBytes = 1000 });
        Assert.Null(root);
        Assert.Equal(DiagnosticCodes.LimitDocumentSize, Assert.Single(bag.ToImmutable()).Code);
    }

    private static (ScalarKind, string) Kind(ComposeNode? node)
    {
        var s = Assert.IsType<ScalarNode>(node);
        return (s.Kind, s.Value);
    }
}
