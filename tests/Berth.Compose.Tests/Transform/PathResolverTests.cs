using Berth.Compose.Diagnostics;
using Berth.Compose.Transform;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Transform.SyntaxTestHelper;

namespace Berth.Compose.Tests.Transform;

public sealed class PathResolverTests
{
    private const string Base = "/srv/project";
    private const string Home = "/home/me";

    private static (MappingNode Document, DiagnosticBag Diagnostics) Resolve(string yaml, string? home = Home)
    {
        var (canonical, diagnostics) = Canonicalize(yaml);
        return (PathResolver.Resolve(canonical, Base, home, diagnostics), diagnostics);
    }

    private static string ResolveService(string serviceYaml, string key)
        => Print(Web(Resolve(WrapService(serviceYaml)).Document)[key]!);

    [Theory]
    [InlineData("./dir", "/srv/project/dir")]
    [InlineData(".", "/srv/project")]
    [InlineData("dir/sub", "/srv/project/dir/sub")]
    [InlineData("../other/./x", "/srv/other/x")]
    [InlineData("/abs/../path", "/path")]
    [InlineData("~/src", "/home/me/src")]
    [InlineData("~", "/home/me")]
    public void BuildContext_LocalPaths_BecomeAbsolute(string context, string expected)
    {
        Assert.Equal(Expect($"context: {expected}"), ResolveService($"build: \"{context}\"", "build"));
    }

    [Theory]
    [InlineData("https://github.com/docker/app.git#main")]
    [InlineData("git@github.com:docker/app.git")]
    [InlineData("github.com/docker/app")]
    [InlineData("git://example.com/repo")]
    [InlineData("example.com/repo.git#v1:sub")]
    public void BuildContext_Remote_IsUntouched(string context)
    {
        Assert.Equal(Expect($"context: {context}"), ResolveService($"build: {context}", "build"));
    }

    [Fact]
    public void AdditionalContexts_OnlyPathsAreResolved()
    {
        Assert.Equal(Expect("""
            additional_contexts:
              base: docker-image://alpine:3
              local: /srv/project/bar
              other: service:base
              remote: https://example.com/x.git
            context: /srv/project
            """), ResolveService("build:\n  context: .\n  additional_contexts:\n    local: ./bar\n    base: docker-image://alpine:3\n    other: service:base\n    remote: https://example.com/x.git", "build"));
    }

    [Fact]
    public void EnvFileAndLabelFile_AreResolved()
    {
        Assert.Equal(Expect("""
            - path: /srv/project/a.env
              required: true
            - path: /home/me/b.env
              required: false
            """), ResolveService("env_file:\n  - a.env\n  - {path: ~/b.env, required: false}", "env_file"));
        Assert.Equal(Expect("- /srv/project/app.label"), ResolveService("label_file: ./app.label", "label_file"));
    }

    [Fact]
    public void Volumes_OnlyBindSourcesAreResolved()
    {
        Assert.Equal(Expect("""
            - bind:
                create_host_path: true
              source: /srv/project/static
              target: /a
              type: bind
            - bind:
                create_host_path: true
              read_only: true
              source: /home/me/configs
              target: /b
              type: bind
            - source: data
              target: /c
              type: volume
            - source: /srv/project/rel
              target: /d
              type: bind
            - bind:
                create_host_path: true
              source: /opt/data
              target: /e
              type: bind
            - bind:
                create_host_path: true
              source: C:\data
              target: /f
              type: bind
            """), ResolveService("volumes:\n  - ./static:/a\n  - ~/configs:/b:ro\n  - data:/c\n  - {type: bind, source: rel, target: /d}\n  - /opt/data:/e\n  - 'C:\\data:/f'", "volumes"));
    }

    [Fact]
    public void ExtendsAndWatch_AreResolved()
    {
        Assert.Equal(Expect("""
            file: /srv/common.yaml
            service: base
            """), ResolveService("extends:\n  file: ../common.yaml\n  service: base", "extends"));
        Assert.Equal(Expect("""
            watch:
            - action: sync
              path: /srv/project/src
              target: /app
            """), ResolveService("develop:\n  watch:\n    - {action: sync, path: ./src, target: /app}", "develop"));
    }

    [Fact]
    public void TopLevelSecretsAndConfigsFiles_AreResolved_IncludeIsNot()
    {
        var (document, _) = Resolve("include: [./other/compose.yaml]\nsecrets:\n  s: {file: ./secret_data}\n  e: {environment: BAR}\nconfigs:\n  c: {file: ~/config_data}\n");
        Assert.Equal(Expect("""
            e:
              environment: BAR
            s:
              file: /srv/project/secret_data
            """), Print(document["secrets"]!));
        Assert.Equal(Expect("""
            c:
              file: /home/me/config_data
            """), Print(document["configs"]!));
        Assert.Equal(Expect("- ./other/compose.yaml"), Print(document["include"]!));
    }

    [Fact]
    public void Resolved_KeepsLocationAndTag()
    {
        var (document, _) = Resolve(WrapService("build:\n  context: !override ./dir"));
        var context = ((MappingNode)Web(document)["build"]!)["context"]!;
        Assert.Equal(new SourceLocation(FileName, 4, 16), context.Location);
        Assert.Equal("!override", context.Tag);
    }

    [Fact]
    public void Tilde_WithoutHome_IsKeptWithAWarning()
    {
        var (document, diagnostics) = Resolve(WrapService("volumes: [\"~/x:/x\"]"), home: null);
        Assert.Contains("source: ~/x", Print(Web(document)["volumes"]!), StringComparison.Ordinal);
        var warning = Assert.Single(diagnostics.ToImmutable());
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Equal("services.web.volumes[0].source", warning.YamlPath);
    }

    [Fact]
    public void NothingToResolve_IsTheSameObject()
    {
        var (document, _) = Canonicalize(WrapService("image: nginx\nvolumes: [\"data:/x\"]"));
        Assert.Same(document, PathResolver.Resolve(document, Base, Home, new DiagnosticBag()));
    }
}
