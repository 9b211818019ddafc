using Berth.Compose.Diagnostics;
using Berth.Compose.Merge;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Merge.MergeTestSupport;

namespace Berth.Compose.Tests.Merge;

public sealed class ExtendsResolverTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("berth-extends-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string> ExtendsFixtures()
    {
        var root = LoaderTestData;
        var files = Directory.GetFiles(Path.Combine(root, "extends"), "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(root, "compose-test-extends*.yaml"))
            .Append(Path.Combine(root, "combined", "compose.yaml"))
            .Select(f => Path.GetRelativePath(root, f))
            .Order(StringComparer.Ordinal);
        return [.. files];
    }

    [Theory]
    [MemberData(nameof(ExtendsFixtures))]
    public void Fixture_LoadsWithoutErrors_AndNoExtendsRemains(string relativePath)
    {
        var loader = new FixtureLoader();
        var result = loader.Load(Path.Combine(LoaderTestData, relativePath));
        Assert.NotNull(result);
        Assert.False(loader.Diagnostics.HasErrors, string.Join("\n", loader.Diagnostics.ToImmutable()));
        Assert.False(result.ContainsKey("include"));
        if (result["services"] is MappingNode services)
        {
            foreach (var service in services.Entries)
            {
                Assert.False(service.Value is MappingNode m && m.ContainsKey("extends"), $"{service.Name} still has extends");
            }
        }
    }

    [Fact]
    public void Fixture_Base_SameFileStringFormAndSiblingFile()
    {
        var loader = new FixtureLoader();
        var result = loader.Load(Path.Combine(LoaderTestData, "extends", "base.yaml"))!;
        Assert.Equal("base", Text(result, "services/another/image"));
        Assert.Equal(".", Text(result, "services/with-build/build"));
        Assert.Equal(Path.Combine(LoaderTestData, "extends", "sibling.yaml"), Assert.Single(loader.FilesLoadedForExtends));
        Assert.True(Get(result, "services/nil") is ScalarNode { IsNull: true });
        Assert.Equal("65535", Text(result, "services/withUlimits/ulimits/nproc"));
    }

    [Fact]
    public void Fixture_Nested_TakesTheBuildFromTheSibling()
    {
        var result = new FixtureLoader().Load(Path.Combine(LoaderTestData, "extends", "nested.yaml"))!;
        Assert.Equal(".", Text(result, "services/with-build/build"));
    }

    [Fact]
    public void Fixture_Reset_RemovesTheInheritedCommand()
    {
        var result = new FixtureLoader().Load(Path.Combine(LoaderTestData, "extends", "reset.yaml"))!;
        var merged = ComposeMerger.ResolveTags(result);
        Assert.Equal("alpine:latest", Text(merged, "services/base/image"));
        Assert.False(((MappingNode)Get(merged, "services/base")!).ContainsKey("command"));
        Assert.Equal("sleep infinity", Text(merged, "services/init/command"));
    }

    [Fact]
    public void Fixture_WithDir_ResolvesEachFileRelativeToItsOwnFolder()
    {
        var loader = new FixtureLoader();
        var result = loader.Load(Path.Combine(LoaderTestData, "extends", "withdir", "compose.yaml"))!;
        Assert.Equal("hello-world", Text(result, "services/test/image"));
        Assert.Equal(
            [Path.Combine(LoaderTestData, "extends", "withdir", "dir", "compose.yaml"), Path.Combine(LoaderTestData, "extends", "withdir", "dir", "base.yaml")],
            loader.FilesLoadedForExtends);
    }

    [Fact]
    public void Fixture_ComposeTestExtends_ImportsEveryAttribute()
    {
        var result = new FixtureLoader().Load(Path.Combine(LoaderTestData, "compose-test-extends.yaml"))!;
        Assert.Equal("nginx", Text(result, "services/importer/image"));
        Assert.Equal("${SOURCE:-imported}", Text(result, "services/importer/container_name"));
        Assert.Equal(["./extra.env"], Strings(result, "services/importer/env_file"));
        Assert.Equal(["/opt/data:/var/lib/mysql"], Strings(result, "services/importer/volumes"));

        // Values keep the location of the file that set them.
        Assert.EndsWith(Path.Combine("subdir", "compose-test-extends-imported.yaml"), Get(result, "services/importer/image")!.Location.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixture_ContextUrl_IsInherited()
    {
        var result = new FixtureLoader().Load(Path.Combine(LoaderTestData, "compose-test-extends-with-context-url.yaml"))!;
        Assert.Equal("https://github.com/docker/compose.git", Text(result, "services/importer-with-https-url/build/context"));
    }

    [Fact]
    public void Fixture_Combined_IncludedFileExtendsItsSibling()
    {
        var result = new FixtureLoader().Load(Path.Combine(LoaderTestData, "combined", "compose.yaml"))!;
        Assert.Equal(".", Text(result, "services/service/build"));
    }

    [Fact]
    public void Fixture_Ports_SamePortIsNotDuplicated()
    {
        var main = Write("compose.yaml", $"""
            services:
              test:
                extends:
                  file: {Path.Combine(LoaderTestData, "extends", "ports.yaml")}
                  service: test
                ports:
                  - 8080:8080
            """);
        var result = new FixtureLoader().Load(main)!;
        Assert.Equal(["8080:8080"], Strings(result, "services/test/ports"));
    }

    [Fact]
    public void Fixture_DependsOn_ReferencesToOtherServicesAreInherited()
    {
        var file = Path.Combine(LoaderTestData, "extends", "depends_on.yaml");
        var main = Write("compose.yaml", $$$"""
            services:
              a: {extends: {file: {{{file}}}, service: with_depends_on}}
              b: {extends: {file: {{{file}}}, service: with_volumes_from}}
              c: {extends: {file: {{{file}}}, service: with_ipc}}
              d: {extends: {file: {{{file}}}, service: with_network_mode}}
            """);
        var loader = new FixtureLoader();
        var result = loader.Load(main)!;
        Assert.False(loader.Diagnostics.HasErrors);
        Assert.Equal(["zot"], Strings(result, "services/a/depends_on"));
        Assert.Equal(["zot"], Strings(result, "services/b/volumes_from"));
        Assert.Equal("service:zot", Text(result, "services/c/ipc"));
        Assert.Equal("service:zot", Text(result, "services/d/network_mode"));

        // 'zot' itself is not imported: the semantic checks report the dangling reference.
        Assert.Null(Get(result, "services/zot"));
    }

    [Fact]
    public void Fixture_Interpolated_ValueIsCarriedUninterpolated()
    {
        var main = Write("compose.yaml", $"services:\n  foo:\n    extends:\n      file: {Path.Combine(LoaderTestData, "extends", "interpolated.yaml")}\n      service: foo\n");
        var result = new FixtureLoader().Load(main)!;
        Assert.Equal("bash", Text(result, "services/foo/image"));
        Assert.Equal(["${SOURCE:-/dev/null}:/tmp/foo:ro"], Strings(result, "services/foo/volumes"));
    }

    [Fact]
    public void Extends_NestedChainInOneFile_FollowsEveryLevel()
    {
        var result = Resolve("""
            services:
              base:
                image: busybox
                user: root
              common:
                image: busybox
                extends:
                  service: base
              cli:
                extends:
                  service: common
            """, out var bag);
        Assert.False(bag.HasErrors);
        Assert.Equal("root", Text(result, "services/cli/user"));
        Assert.Equal("busybox", Text(result, "services/cli/image"));
        Assert.Equal(["user", "image"], ((MappingNode)Get(result, "services/cli")!).Keys.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void Extends_MergesWithTheMergeRules()
    {
        var result = Resolve("""
            services:
              common:
                image: busybox
                environment: {TZ: utc, PORT: "80"}
                volumes:
                  - {type: volume, source: common-volume, target: /var/lib/backup/data}
                security_opt: ["label:role:ROLE"]
                command: [a]
              cli:
                extends: common
                environment: {PORT: "8080"}
                volumes:
                  - {type: volume, source: cli-volume, target: /var/lib/backup/data, read_only: true}
                security_opt: ["label:user:USER"]
                command: [b]
            """, out _);
        Assert.Equal("8080", Text(result, "services/cli/environment/PORT"));
        Assert.Equal("utc", Text(result, "services/cli/environment/TZ"));
        var volume = Assert.Single(Assert.IsType<SequenceNode>(Get(result, "services/cli/volumes")).Items);
        Assert.Equal("cli-volume", Text(volume, "source"));
        Assert.Equal(["label:role:ROLE", "label:user:USER"], Strings(result, "services/cli/security_opt"));
        Assert.Equal(["b"], Strings(result, "services/cli/command"));
        Assert.Equal(["a"], Strings(result, "services/common/command"));
    }

    [Fact]
    public void Extends_SameFileCycle_IsReportedOnceWithTheChain()
    {
        Resolve("services:\n  a:\n    extends: b\n  b:\n    extends: {service: c}\n  c:\n    extends: a\n  d:\n    extends: a\n", out var bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.ExtendsCycle, d.Code);
        Assert.Contains("a -> b -> c -> a", d.Message, StringComparison.Ordinal);
        Assert.Equal(7, d.Location.Line);
    }

    [Fact]
    public void Extends_Self_IsACycle()
    {
        Resolve("services:\n  a:\n    image: x\n    extends: a\n", out var bag);
        Assert.Equal(DiagnosticCodes.ExtendsCycle, Assert.Single(bag.ToImmutable()).Code);
    }

    [Fact]
    public void Extends_CrossFileCycle_NamesTheFiles()
    {
        Write(Path.Combine("other", "base.yaml"), "services:\n  b:\n    extends: {file: ../compose.yaml, service: a}\n");
        var main = Write("compose.yaml", "services:\n  a:\n    extends: {file: other/base.yaml, service: b}\n");
        var loader = new FixtureLoader();
        loader.Load(main);
        var d = Assert.Single(loader.Diagnostics.ToImmutable());
        Assert.Equal(DiagnosticCodes.ExtendsCycle, d.Code);
        Assert.Contains("a (compose.yaml) -> b (other/base.yaml) -> a (compose.yaml)", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extends_MissingService_IsReportedAtTheExtendsKeyWithAHint()
    {
        Resolve("services:\n  web:\n    image: x\n    extends:\n      service: nope\n  db:\n    image: y\n", out var bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.ExtendsNotFound, d.Code);
        Assert.Equal(new SourceLocation("compose.yaml", 4, 5), d.Location);
        Assert.Equal("services.web.extends", d.YamlPath);
        Assert.Contains("'nope'", d.Message, StringComparison.Ordinal);
        Assert.Contains("web, db", d.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Extends_MissingServiceInOtherFile_IsReported()
    {
        Write("base.yaml", "services:\n  one: {image: x}\n");
        var main = Write("compose.yaml", "services:\n  web:\n    extends: {file: base.yaml, service: two}\n");
        var loader = new FixtureLoader();
        var result = loader.Load(main)!;
        var d = Assert.Single(loader.Diagnostics.ToImmutable());
        Assert.Equal(DiagnosticCodes.ExtendsNotFound, d.Code);
        Assert.Equal(3, d.Location.Line);
        Assert.False(((MappingNode)Get(result, "services/web")!).ContainsKey("extends"));
    }

    [Fact]
    public void Extends_MissingFile_IsReported()
    {
        var main = Write("compose.yaml", "services:\n  web:\n    extends:\n      file: nowhere.yaml\n      service: x\n");
        var loader = new FixtureLoader();
        loader.Load(main);
        var d = Assert.Single(loader.Diagnostics.ToImmutable());
        Assert.Equal(DiagnosticCodes.ExtendsNotFound, d.Code);
        Assert.Equal(3, d.Location.Line);
        Assert.Contains("nowhere.yaml", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extends_BaseFileIsLoadedOnceForManyServices()
    {
        Write("base.yaml", "services:\n  one: {image: x}\n  two: {extends: one, user: u}\n");
        var main = Write("compose.yaml", "services:\n  a: {extends: {file: base.yaml, service: two}}\n  b: {extends: {file: base.yaml, service: one}}\n  c: {extends: a}\n");
        var loader = new FixtureLoader();
        var result = loader.Load(main)!;
        Assert.False(loader.Diagnostics.HasErrors);
        Assert.Single(loader.FilesLoadedForExtends);
        Assert.Equal("x", Text(result, "services/c/image"));
        Assert.Equal("u", Text(result, "services/c/user"));
        Assert.Null(Get(result, "services/b/user"));
    }

    [Fact]
    public void Extends_OverlayTagsSurviveForTheFileMerge()
    {
        // compose-go applies an extending service's !override/!reset both to its base and to earlier files.
        var first = Doc("services:\n  web:\n    image: old\n    user: root\n    ports:\n      - {target: 80, published: \"80\", protocol: tcp, mode: ingress}\n", "compose.yaml");
        var second = Resolve("""
            services:
              base:
                image: new
                ports:
                  - {target: 8080, published: "8080", protocol: tcp, mode: ingress}
              web:
                extends: base
                user: !reset null
                ports: !override
                  - {target: 443, published: "443", protocol: tcp, mode: ingress}
            """, out _);
        var merged = ComposeMerger.Merge(first, second, new DiagnosticBag());
        AssertNoTags(merged);
        var web = (MappingNode)Get(merged, "services/web")!;
        Assert.Equal("new", Text(web, "image"));
        Assert.False(web.ContainsKey("user"));
        Assert.Equal("443", Text(Assert.Single(((SequenceNode)web["ports"]!).Items), "target"));
    }

    [Fact]
    public void Extends_DocumentWithoutExtends_IsReturnedAsIs()
    {
        var doc = Doc("services:\n  a: {image: x}\n");
        Assert.Same(doc, ExtendsResolver.Resolve(doc, "compose.yaml", _ => null, new DiagnosticBag()));
    }

    private static MappingNode Resolve(string yaml, out DiagnosticBag bag)
    {
        bag = new DiagnosticBag();
        return ExtendsResolver.Resolve(Doc(yaml), "compose.yaml", _ => null, bag);
    }

    private string Write(string relativePath, string text)
    {
        var path = Path.Combine(_temp, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
