using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Interpolation;

namespace Berth.Compose.Tests.Interpolation;

public sealed class DotEnvParserTests
{
    private const string File = "test.env";

    private static (ImmutableArray<DotEnvEntry> Entries, DiagnosticBag Bag) Parse(string text, IReadOnlyDictionary<string, string>? environment = null, bool interpolate = true)
    {
        var bag = new DiagnosticBag();
        var entries = DotEnvParser.Parse(text, File, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null, bag, interpolate);
        return (entries, bag);
    }

    private static Dictionary<string, string> AsDictionary(ImmutableArray<DotEnvEntry> entries)
        => entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static readonly Dictionary<string, string> InheritedEnvironment = new(StringComparer.Ordinal)
    {
        ["VAR_TO_BE_LOADED_FROM_OS_ENV"] = "SOME_RANDOM_VALUE",
    };

    private static readonly Dictionary<string, string> Plain = new(StringComparer.Ordinal)
    {
        ["OPTION_A"] = "1",
        ["OPTION_B"] = "2",
        ["OPTION_C"] = "3",
        ["OPTION_D"] = "4",
        ["OPTION_E"] = "5",
        ["456"] = "ABC",
        ["OPTION_F"] = string.Empty,
        ["OPTION_G"] = string.Empty,
        ["OPTION_H"] = "my string",
    };

    private static readonly Dictionary<string, string> Substitutions = new(StringComparer.Ordinal)
    {
        ["OPTION_A"] = "1",
        ["OPTION_B"] = "1",
        ["OPTION_C"] = "1",
        ["OPTION_D"] = "1_1",
        ["OPTION_E"] = string.Empty,
    };

    /// <summary>Expected values for every fixture of compose-go's dotenv package (its own tests' expectations).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>?> FixtureExpectations = new(StringComparer.Ordinal)
    {
        ["plain.env"] = Plain,
        ["utf8-bom.env"] = Plain,
        ["custom.format"] = new() { ["FOO"] = "BAR", ["ZOT"] = "QIX" },
        ["equals.env"] = new() { ["OPTION_A"] = "postgres://localhost:5432/database?sslmode=disable" },
        ["exported.env"] = new() { ["OPTION_A"] = "2", ["OPTION_B"] = "\\n" },
        ["inherited-multi-var.env"] = new() { ["foo"] = "bar", ["VAR_TO_BE_LOADED_FROM_OS_ENV"] = "SOME_RANDOM_VALUE", ["bar"] = "baz" },
        ["inherited-single-var.env"] = new() { ["VAR_TO_BE_LOADED_FROM_OS_ENV"] = "SOME_RANDOM_VALUE" },
        ["inherited-not-found.env"] = new(),
        ["special.env"] = new() { ["VAR.WITH.DOTS"] = "dots", ["VAR_WITH_UNDERSCORES"] = "underscores", ["VAR-WITH-DASHES"] = "dashes" },
        ["substitutions.env"] = Substitutions,
        ["substitutions-default.env"] = Substitutions,
        ["quoted.env"] = new()
        {
            ["OPTION_A"] = "1",
            ["OPTION_B"] = "2",
            ["OPTION_C"] = string.Empty,
            ["OPTION_D"] = "\\n",
            ["OPTION_E"] = "1",
            ["OPTION_F"] = "2",
            ["OPTION_G"] = string.Empty,
            ["OPTION_H"] = "\n",
            ["OPTION_I"] = "echo 'asd'",
            ["OPTION_J"] = "first line\nsecond line\nthird line\nand so on",
            ["OPTION_K"] = "Let's go!",
            ["OPTION_Z"] = "last value",
        },
        ["unquoted.env"] = new()
        {
            ["OPTION_A"] = "some quoted phrase",
            ["OPTION_B"] = "first one with an unquoted phrase",
            ["OPTION_C"] = "then another one with an unquoted phrase",
            ["OPTION_D"] = "then another one with an unquoted phrase special è char",
            ["OPTION_E"] = "then another one quoted phrase",
        },

        // null: the fixture is invalid (checked separately).
        ["invalid1.env"] = null,
    };

    public static TheoryData<string> Fixtures => [.. Directory.GetFiles(SharedCorpus.DotEnvFixtures).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal)];

    [Fact]
    public void Fixtures_Directory_IsFoundAndFullyCovered()
    {
        var files = Directory.GetFiles(SharedCorpus.DotEnvFixtures).Select(f => Path.GetFileName(f)!).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(files);
        Assert.Equal(FixtureExpectations.Keys.Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void ReadFile_ComposeGoFixture_MatchesComposeGo(string fixture)
    {
        var bag = new DiagnosticBag();
        var path = Path.Combine(SharedCorpus.DotEnvFixtures, fixture);
        var entries = DotEnvParser.ReadFile(path, name => InheritedEnvironment.GetValueOrDefault(name), bag);
        var expected = FixtureExpectations[fixture];
        if (expected is null)
        {
            Assert.Contains(bag.ToImmutable(), d => d.Code == DiagnosticCodes.DotEnvSyntax && d.Severity == Severity.Error);
            return;
        }

        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        Assert.Equal(expected, AsDictionary(entries));
        Assert.All(entries, e => Assert.Equal(path, e.Location.File));
    }

    [Fact]
    public void ReadFile_InheritedMultiVar_KeepsFileOrder()
    {
        var entries = DotEnvParser.ReadFile(Path.Combine(SharedCorpus.DotEnvFixtures, "inherited-multi-var.env"), name => InheritedEnvironment.GetValueOrDefault(name), new DiagnosticBag());
        Assert.Equal(["foo", "VAR_TO_BE_LOADED_FROM_OS_ENV", "bar"], entries.Select(e => e.Key));
        Assert.Equal([1, 2, 3], entries.Select(e => e.Location.Line));
    }

    [Fact]
    public void ReadFile_Invalid1_ReportsTheInvalidLine()
    {
        var bag = new DiagnosticBag();
        var path = Path.Combine(SharedCorpus.DotEnvFixtures, "invalid1.env");
        var entries = DotEnvParser.ReadFile(path, _ => null, bag);
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.DotEnvSyntax, error.Code);
        Assert.Equal(new SourceLocation(path, 7, 1), error.Location);
        Assert.Contains("space", error.Message, StringComparison.Ordinal);
        Assert.Equal("\n  a\n  multine\n  value\n", AsDictionary(entries)["foo"]);
    }

    [Fact]
    public void ReadFile_Substitutions_WarnsAboutUndefinedVariable()
    {
        var bag = new DiagnosticBag();
        var path = Path.Combine(SharedCorpus.DotEnvFixtures, "substitutions.env");
        DotEnvParser.ReadFile(path, _ => null, bag);
        var warning = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.UnsetVariable, warning.Code);
        Assert.Equal(new SourceLocation(path, 5, 1), warning.Location);
        Assert.Contains("OPTION_NOT_DEFINED", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_MissingFile_ReportsFileNotFound()
    {
        var bag = new DiagnosticBag();
        var entries = DotEnvParser.ReadFile(Path.Combine(SharedCorpus.DotEnvFixtures, "nope.env"), _ => null, bag);
        Assert.Empty(entries);
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.FileNotFound, error.Code);
        Assert.Contains("nope.env", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Lines => new()
    {
        // From compose-go's parser tests.
        { "FOO=bar", "FOO", "bar" },
        { "FOO =bar", "FOO", "bar" },
        { "FOO= bar", "FOO", "bar" },
        { "FOO=\"bar\"", "FOO", "bar" },
        { "FOO='bar'", "FOO", "bar" },
        { "FOO=\"escaped\\\"bar\"", "FOO", "escaped\"bar" },
        { "FOO=\"'d'\"", "FOO", "'d'" },
        { "OPTION_A: 1", "OPTION_A", "1" },
        { "OPTION_A: Foo=bar", "OPTION_A", "Foo=bar" },
        { "OPTION_A=1:B", "OPTION_A", "1:B" },
        { "export OPTION_A=2", "OPTION_A", "2" },
        { "export OPTION_B='\\n'", "OPTION_B", "\\n" },
        { "export exportFoo=2", "exportFoo", "2" },
        { "exportFOO=2", "exportFOO", "2" },
        { "export_FOO =2", "export_FOO", "2" },
        { "export.FOO= 2", "export.FOO", "2" },
        { "export\tOPTION_A=2", "OPTION_A", "2" },
        { "  export OPTION_A=2", "OPTION_A", "2" },
        { "\texport OPTION_A=2", "OPTION_A", "2" },
        { "FOO=\"bar\\nbaz\"", "FOO", "bar\nbaz" },
        { "FOO.BAR=foobar", "FOO.BAR", "foobar" },
        { "FOO=foobar=", "FOO", "foobar=" },
        { "FOO=bar ", "FOO", "bar" },
        { "FOO=bar # this is foo", "FOO", "bar" },
        { "FOO=\"bar#baz\" # comment", "FOO", "bar#baz" },
        { "FOO='bar#baz' # comment", "FOO", "bar#baz" },
        { "FOO=\"bar#baz#bang\" # comment", "FOO", "bar#baz#bang" },
        { "FOO=\"ba#r\"", "FOO", "ba#r" },
        { "FOO='ba#r'", "FOO", "ba#r" },
        { " KEY =value", "KEY", "value" },
        { "   KEY=value", "KEY", "value" },
        { "\tKEY=value", "KEY", "value" },
        { "KEY[0]=value", "KEY[0]", "value" },
        { "ключ=значение", "ключ", "значение" },

        // Unquoted values: only " #" starts a comment; inner spaces are kept.
        { "URL=http://host/page#anchor", "URL", "http://host/page#anchor" },
        { "FOO=a  b\t c", "FOO", "a  b\t c" },
        { "FOO=\"a b\"  ", "FOO", "a b" },
        { "FOO=", "FOO", "" },
        { "FOO=\"\"", "FOO", "" },
        { "FOO=bar\r", "FOO", "bar" },

        // Double-quote escapes.
        { "FOO=\"a\\\\b\"", "FOO", "a\\b" },
        { "FOO=\"tab\\there\"", "FOO", "tab\there" },
        { "FOO=\"cr\\r\"", "FOO", "cr\r" },
        { "FOO=\"\\0123\"", "FOO", "S" },
        { "FOO=\"\\012\"", "FOO", "\\012" },
        { "FOO=\"\\0\"", "FOO", "\\0" },
        { "FOO=\"x\\qy\"", "FOO", "x\\qy" },
        { "FOO=\"x\\ y\"", "FOO", "x\\ y" },
        { "FOO=\"\\$BAR\"", "FOO", "$BAR" },
        { "FOO=\"foo\\${BAR}\"", "FOO", "foo${BAR}" },

        // Single quotes are literal, apart from an escaped quote.
        { "FOO='$BAR \\n ${X}'", "FOO", "$BAR \\n ${X}" },
        { "FOO='it\\'s'", "FOO", "it's" },
        { "FOO='a\"b'", "FOO", "a\"b" },

        // Multi-line double-quoted values.
        { "FOO=\"line1\nline2\"", "FOO", "line1\nline2" },
        { "TEST_URLS=\"stratum+tcp://a:3333\nstratum+tcp://b:443\"", "TEST_URLS", "stratum+tcp://a:3333\nstratum+tcp://b:443" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Parse_Line_YieldsKeyAndValue(string text, string key, string value)
    {
        var (entries, bag) = Parse(text);
        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        var entry = Assert.Single(entries);
        Assert.Equal(key, entry.Key);
        Assert.Equal(value, entry.Value);
    }

    public static TheoryData<string, string, string> Expansions => new()
    {
        { "FOO=test\nBAR=$FOO", "BAR", "test" },
        { "FOO=test\nBAR=${FOO}bar", "BAR", "testbar" },
        { "BAR=$FOO", "BAR", "" },
        { "FOO=test\nBAR=\"quote $FOO\"", "BAR", "quote test" },
        { "BAR='quote $FOO'", "BAR", "quote $FOO" },
        { "FOO=\"foo\\$BAR\"", "FOO", "foo$BAR" },
        { "FOO=\"foo\\${BAR}\"", "FOO", "foo${BAR}" },
        { "FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"", "BAR", "foo${FOO} test" },
        { "FOO=$$BAR", "FOO", "$BAR" },
        { "A=1\nB=${A:-x}${C:-y}", "B", "1y" },
        { "A=\nB=${A:-x}${A-y}", "B", "x" },
        { "B=${ENV_ONLY}", "B", "from-env" },
        { "A=1\nA=2\nB=$A", "B", "2" },
    };

    [Theory]
    [MemberData(nameof(Expansions))]
    public void Parse_Interpolation_UsesEarlierValuesAndLookup(string text, string key, string value)
    {
        var (entries, bag) = Parse(text, new Dictionary<string, string> { ["ENV_ONLY"] = "from-env" });
        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        Assert.Equal(value, AsDictionary(entries)[key]);
    }

    [Fact]
    public void Parse_LookupAndSameFileValue_LookupWinsLikeComposeGo()
    {
        var (entries, _) = Parse("A=1\nB=$A", new Dictionary<string, string> { ["A"] = "env" });
        Assert.Equal("1", AsDictionary(entries)["A"]);
        Assert.Equal("env", AsDictionary(entries)["B"]);
    }

    [Fact]
    public void Parse_InterpolationDisabled_KeepsTextButAppliesEscapes()
    {
        var (entries, bag) = Parse("A=$X ${Y}\nB=\"\\$Z\\n\"\nC=${", interpolate: false);
        Assert.False(bag.HasErrors);
        var values = AsDictionary(entries);
        Assert.Equal("$X ${Y}", values["A"]);
        Assert.Equal("$Z\n", values["B"]);
        Assert.Equal("${", values["C"]);
    }

    [Fact]
    public void Parse_KeyOnlyLine_InheritsOrIsAbsent()
    {
        var (entries, bag) = Parse("SET\nUNSET\nLAST_NO_NEWLINE", new Dictionary<string, string> { ["SET"] = "v", ["LAST_NO_NEWLINE"] = "w" });
        Assert.False(bag.HasErrors);
        Assert.Equal(new Dictionary<string, string> { ["SET"] = "v", ["LAST_NO_NEWLINE"] = "w" }, AsDictionary(entries));
    }

    [Fact]
    public void Parse_CommentsBlankLinesAndCrlf_AreHandled()
    {
        var (entries, bag) = Parse("# comment\r\n\r\n  # indented comment\r\nA=1\r\nB=\"two\"\r\nC='three' # c\r\n\r\n");
        Assert.False(bag.HasErrors);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1", ["B"] = "two", ["C"] = "three" }, AsDictionary(entries));
    }

    [Fact]
    public void Parse_ByteOrderMark_IsSkipped()
    {
        var (entries, bag) = Parse("\uFEFFA=1\nB=2");
        Assert.False(bag.HasErrors);
        Assert.Equal(["A", "B"], entries.Select(e => e.Key));
        Assert.Equal(new SourceLocation(File, 1, 1), entries[0].Location);
    }

    [Fact]
    public void Parse_RepeatedKey_KeepsFirstPositionAndLastValue()
    {
        var (entries, _) = Parse("A=1\nB=2\nA=3\n");
        Assert.Equal(["A", "B"], entries.Select(e => e.Key));
        Assert.Equal("3", entries[0].Value);
        Assert.Equal(3, entries[0].Location.Line);
    }

    [Fact]
    public void Parse_Locations_PointAtEachStatement()
    {
        var (entries, _) = Parse("A=1\n\n# c\nB=\"x\ny\"\n   C=3\n");
        Assert.Equal(new SourceLocation(File, 1, 1), entries[0].Location);
        Assert.Equal(new SourceLocation(File, 4, 1), entries[1].Location);
        Assert.Equal(new SourceLocation(File, 6, 4), entries[2].Location);
    }

    public static TheoryData<string, string, int> Errors => new()
    {
        { "lol$wut", DiagnosticCodes.DotEnvSyntax, 1 },
        { "A=1\nFOO=\"unterminated\nB=2", DiagnosticCodes.DotEnvSyntax, 2 },
        { "FOO='unterminated", DiagnosticCodes.DotEnvSyntax, 1 },
        { "=value", DiagnosticCodes.DotEnvSyntax, 1 },
        { "A=1\n\nKEY WITH SPACE=1", DiagnosticCodes.DotEnvSyntax, 3 },
        { "FOO=\"a\" junk", DiagnosticCodes.DotEnvSyntax, 1 },
        { "FOO;=1", DiagnosticCodes.DotEnvSyntax, 1 },
        { "A=1\nFOO=${", DiagnosticCodes.InterpolationSyntax, 2 },
        { "FOO=\"${X:?boom}\"", DiagnosticCodes.RequiredVariable, 1 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_InvalidInput_ReportsErrorWithLine(string text, string code, int line)
    {
        var (_, bag) = Parse(text);
        var error = Assert.Single(bag.ToImmutable(), d => d.Severity == Severity.Error);
        Assert.Equal(code, error.Code);
        Assert.Equal(File, error.Location.File);
        Assert.Equal(line, error.Location.Line);
    }

    [Fact]
    public void Parse_InvalidLine_ContinuesWithFollowingLines()
    {
        var (entries, bag) = Parse("A=1\nbad line\nB=2\nC;=3\nD=4\n");
        Assert.Equal(2, bag.ToImmutable().Length);
        Assert.Equal(["A", "B", "D"], entries.Select(e => e.Key));
    }

    [Fact]
    public void Parse_RequiredVariableMessage_IsKept()
    {
        var (_, bag) = Parse("FOO=${X:?please set X}");
        Assert.Equal("required variable X is missing a value: please set X", Assert.Single(bag.ToImmutable()).Message);
    }
}
