using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Interpolation;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Interpolation;

public sealed class InterpolatorTests
{
    private const string File = "compose.yaml";

    private static readonly Dictionary<string, string> DefaultEnvironment = new(StringComparer.Ordinal)
    {
        ["FOO"] = "foo",
        ["N"] = "3",
        ["T"] = "true",
        ["F"] = "1.5",
        ["ZIP"] = "02134",
        ["HEX"] = "0x1F",
        ["EMPTY"] = string.Empty,
        ["NULLWORD"] = "null",
        ["TAG"] = "1.25",
    };

    private static (MappingNode Original, MappingNode Result, DiagnosticBag Bag) Run(string yaml, IReadOnlyDictionary<string, string>? environment = null, DiagnosticBag? bag = null)
    {
        bag ??= new DiagnosticBag();
        var env = environment ?? DefaultEnvironment;
        var documents = YamlTreeReader.Read(yaml, File, LoadLimits.Default, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.ToImmutable()));
        var original = Assert.IsType<MappingNode>(documents[0]);
        var result = Interpolator.Interpolate(original, name => env.TryGetValue(name, out var v) ? v : null, bag);
        return (original, Assert.IsType<MappingNode>(result), bag);
    }

    private static ComposeNode At(ComposeNode root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            node = int.TryParse(part, out var index)
                ? ((SequenceNode)node)[index]
                : ((MappingNode)node)[part] ?? throw new KeyNotFoundException(part);
        }

        return node;
    }

    private static ScalarNode Scalar(ComposeNode root, string path) => Assert.IsType<ScalarNode>(At(root, path));

    public static TheoryData<string, ScalarKind, string> PlainResolutions => new()
    {
        { "${N}", ScalarKind.Int, "3" },
        { "$N", ScalarKind.Int, "3" },
        { "${T}", ScalarKind.Bool, "true" },
        { "${F}", ScalarKind.Float, "1.5" },
        { "${FOO}", ScalarKind.String, "foo" },
        { "${N}0", ScalarKind.Int, "30" },
        { "${UNSET:-false}", ScalarKind.Bool, "false" },
        { "${UNSET:-42}", ScalarKind.Int, "42" },

        // Substituted text is never rewritten: these stay strings spelled as the variable was.
        { "${ZIP}", ScalarKind.String, "02134" },
        { "${HEX}", ScalarKind.String, "0x1F" },
        { "${EMPTY}", ScalarKind.String, "" },
        { "${UNSET}", ScalarKind.String, "" },
        { "${NULLWORD}", ScalarKind.String, "null" },
        { "$${FOO}", ScalarKind.String, "${FOO}" },
    };

    [Theory]
    [MemberData(nameof(PlainResolutions))]
    public void Interpolate_PlainScalar_ReResolvesType(string template, ScalarKind kind, string value)
    {
        var (_, result, _) = Run($"x: {template}\n");
        var x = Scalar(result, "x");
        Assert.Equal(kind, x.Kind);
        Assert.Equal(value, x.Value);
        Assert.False(x.Quoted);
    }

    [Theory]
    [InlineData("x: \"${N}\"\n")]
    [InlineData("x: '${N}'\n")]
    [InlineData("x: !!str ${N}\n")]
    public void Interpolate_QuotedScalar_StaysString(string yaml)
    {
        var (_, result, _) = Run(yaml);
        var x = Scalar(result, "x");
        Assert.Equal(ScalarKind.String, x.Kind);
        Assert.Equal("3", x.Value);
        Assert.True(x.Quoted);
    }

    [Fact]
    public void Interpolate_BlockScalar_IsSubstitutedAndStaysString()
    {
        var (_, result, _) = Run("x: |\n  echo ${FOO}\n  echo $$HOME\n");
        Assert.Equal("echo foo\necho $HOME\n", Scalar(result, "x").Value);
        Assert.Equal(ScalarKind.String, Scalar(result, "x").Kind);
    }

    [Fact]
    public void Interpolate_ChangedScalar_KeepsLocationAndTag()
    {
        var (original, result, _) = Run("a: !override ${N}\nb: !custom \"${FOO}\"\n");
        var a = Scalar(result, "a");
        Assert.Equal("!override", a.Tag);
        Assert.Equal(ScalarKind.Int, a.Kind);
        Assert.Equal(Scalar(original, "a").Location, a.Location);
        Assert.Equal("!custom", Scalar(result, "b").Tag);
        Assert.Equal("foo", Scalar(result, "b").Value);
    }

    [Fact]
    public void Interpolate_MappingKeys_AreNotInterpolated()
    {
        var (_, result, _) = Run("labels:\n  \"$FOO\": \"$FOO\"\n  ${N}: x\n");
        var labels = (MappingNode)result["labels"]!;
        Assert.Equal(["$FOO", "${N}"], labels.Keys);
        Assert.Equal("foo", labels["$FOO"]!.ToString());
    }

    [Fact]
    public void Interpolate_SequenceItemsAndNestedValues_AreSubstituted()
    {
        var (_, result, bag) = Run("""
            services:
              web:
                image: "nginx:${TAG}"
                command: [echo, "$FOO", "$$FOO"]
                environment:
                  - A=${FOO}
                deploy:
                  replicas: ${N}
            """);
        Assert.Equal(0, bag.Count);
        Assert.Equal("nginx:1.25", Scalar(result, "services.web.image").Value);
        Assert.Equal("foo", Scalar(result, "services.web.command.1").Value);
        Assert.Equal("$FOO", Scalar(result, "services.web.command.2").Value);
        Assert.Equal("A=foo", Scalar(result, "services.web.environment.0").Value);
        Assert.Equal(ScalarKind.Int, Scalar(result, "services.web.deploy.replicas").Kind);
    }

    [Fact]
    public void Interpolate_NothingToSubstitute_ReturnsSameTree()
    {
        var (original, result, bag) = Run("services:\n  web:\n    image: nginx\n    ports: ['80:80', 443]\n    environment: {A: b, C: null}\n");
        Assert.Same(original, result);
        Assert.Equal(0, bag.Count);
    }

    [Fact]
    public void Interpolate_OneChangedValue_SharesUnchangedSiblings()
    {
        var (original, result, _) = Run("services:\n  web:\n    image: ${FOO}\n    ports: ['80:80']\n  db:\n    image: postgres\nvolumes:\n  data: {}\n");
        Assert.NotSame(original, result);
        Assert.Same(At(original, "services.web.ports"), At(result, "services.web.ports"));
        Assert.Same(At(original, "services.db"), At(result, "services.db"));
        Assert.Same(At(original, "volumes"), At(result, "volumes"));
        Assert.Same(((MappingNode)original["services"]!).Entries[0].Key, ((MappingNode)result["services"]!).Entries[0].Key);
    }

    [Fact]
    public void Interpolate_ScalarWithDollarButSameText_ReturnsSameNode()
    {
        var (original, result, _) = Run("x: cost $5\n");
        Assert.Same(original, result);
    }

    [Fact]
    public void Interpolate_AliasedSubtree_IsSubstitutedOnceAndShared()
    {
        var (_, result, bag) = Run("""
            x-common: &common
              image: "${MISSING}"
              user: "${FOO}"
            services:
              a: *common
              b: *common
            """);
        Assert.Same(At(result, "services.a"), At(result, "services.b"));
        Assert.Same(At(result, "x-common"), At(result, "services.a"));
        Assert.Equal("foo", Scalar(result, "services.b.user").Value);
        Assert.Single(bag.ToImmutable());
    }

    [Fact]
    public void Interpolate_UnsetVariable_WarnsOncePerName()
    {
        var (_, result, bag) = Run("a: ${MISSING}\nb: [x$MISSING, \"${OTHER}\"]\nc: ${MISSING:-d}\n");
        Assert.Equal(string.Empty, Scalar(result, "a").Value);
        Assert.Equal("x", Scalar(result, "b.0").Value);
        var warnings = bag.ToImmutable();
        Assert.Equal(2, warnings.Length);
        Assert.All(warnings, d => Assert.Equal(Severity.Warning, d.Severity));
        Assert.All(warnings, d => Assert.Equal(DiagnosticCodes.UnsetVariable, d.Code));
        Assert.Equal("The \"MISSING\" variable is not set. Defaulting to a blank string.", warnings[0].Message);
        Assert.Equal(new SourceLocation(File, 1, 4), warnings[0].Location);
        Assert.Equal("a", warnings[0].YamlPath);
        Assert.Equal("b[1]", warnings[1].YamlPath);
        Assert.False(bag.HasErrors);
    }

    [Fact]
    public void Interpolate_SameBagAcrossFiles_WarnsOncePerName()
    {
        var bag = new DiagnosticBag();
        Run("a: $MISSING\n", bag: bag);
        Run("b: $MISSING\n", bag: bag);
        Assert.Single(bag.ToImmutable());
    }

    [Fact]
    public void Interpolate_SyntaxError_ReportsLocationAndPath()
    {
        var (original, result, bag) = Run("services:\n  web:\n    image: \"nginx:${\"\n    ports:\n      - \"${FOO:x}\"\n");
        var errors = bag.ToImmutable();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.Equal(DiagnosticCodes.InterpolationSyntax, e.Code));
        Assert.All(errors, e => Assert.Equal(Severity.Error, e.Severity));
        Assert.Equal(new SourceLocation(File, 3, 12), errors[0].Location);
        Assert.Equal("services.web.image", errors[0].YamlPath);
        Assert.Contains("invalid interpolation format", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("services.web.ports[0]", errors[1].YamlPath);
        Assert.Equal(5, errors[1].Location.Line);
        Assert.Same(At(original, "services.web.image"), At(result, "services.web.image"));
    }

    [Fact]
    public void Interpolate_RequiredVariableMissing_ReportsMessageAndPath()
    {
        var (_, _, bag) = Run("services:\n  web:\n    environment:\n      KEY: ${API_KEY:?set API_KEY first}\n      OTHER: ${EMPTY:?}\n");
        var errors = bag.ToImmutable();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e => Assert.Equal(DiagnosticCodes.RequiredVariable, e.Code));
        Assert.Equal("required variable API_KEY is missing a value: set API_KEY first", errors[0].Message);
        Assert.Equal("services.web.environment.KEY", errors[0].YamlPath);
        Assert.Equal(new SourceLocation(File, 4, 12), errors[0].Location);
        Assert.Equal("required variable EMPTY is missing a value", errors[1].Message);
    }

    [Fact]
    public void Interpolate_ErrorInOneValue_StillSubstitutesTheOthers()
    {
        var (_, result, bag) = Run("a: ${\nb: ${FOO}\n");
        Assert.True(bag.HasErrors);
        Assert.Equal("foo", Scalar(result, "b").Value);
    }

    [Fact]
    public void Interpolate_RootScalar_HasNoPath()
    {
        var bag = new DiagnosticBag();
        var root = new ScalarNode("${", ScalarKind.String, new SourceLocation(File, 1, 1));
        Assert.Same(root, Interpolator.Interpolate(root, _ => null, bag));
        Assert.Null(bag.ToImmutable()[0].YamlPath);
    }

    [Fact]
    public void Interpolate_LargeFileWithoutVariables_ReturnsSameTreeWithoutAllocatingNodes()
    {
        var root = BuildServices(2_000, image: i => $"registry.example.com/app{i}:1.0");
        var bag = new DiagnosticBag();
        Interpolator.Interpolate(root, _ => null, bag);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = Interpolator.Interpolate(root, _ => null, bag);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(root, result);
        // One node per service would be over 48 KB for 2,000 services; the bound leaves room for the walker's own
        // state and for runtime allocations on the thread under a loaded CI (6.8 KB seen once).
        Assert.True(allocated < 16_384, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Interpolate_LargeFileWithVariables_SubstitutesEveryService()
    {
        var root = BuildServices(2_000, image: i => $"${{REGISTRY:-docker.io}}/app{i}:${{TAG}}");
        var env = new Dictionary<string, string> { ["TAG"] = "1.0" };
        var bag = new DiagnosticBag();
        var result = (MappingNode)Interpolator.Interpolate(root, n => env.GetValueOrDefault(n), bag);
        Assert.Equal(0, bag.Count);
        Assert.Equal("docker.io/app1999:1.0", Scalar(result, "services.svc1999.image").Value);
    }

    private static MappingNode BuildServices(int count, Func<int, string> image)
    {
        var at = new SourceLocation(File, 1, 1);
        var services = ImmutableArray.CreateBuilder<MappingEntry>(count);
        for (var i = 0; i < count; i++)
        {
            var service = new MappingNode(
            [
                new MappingEntry(ScalarNode.String("image", at), ScalarNode.Plain(image(i), at)),
                new MappingEntry(ScalarNode.String("ports", at), new SequenceNode([ScalarNode.String("8080:80", at), ScalarNode.Int(443, at)], at)),
                new MappingEntry(ScalarNode.String("environment", at), new MappingNode([new MappingEntry(ScalarNode.String("A", at), ScalarNode.String("b", at))], at)),
            ], at);
            services.Add(new MappingEntry(ScalarNode.String($"svc{i}", at), service));
        }

        return new MappingNode([new MappingEntry(ScalarNode.String("services", at), new MappingNode(services.MoveToImmutable(), at))], at);
    }
}
