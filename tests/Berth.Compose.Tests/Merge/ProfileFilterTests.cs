using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Merge;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Merge.MergeTestSupport;

namespace Berth.Compose.Tests.Merge;

public sealed class ProfileFilterTests
{
    // The example of 15-profiles.md, in canonical form.
    private const string SpecExample = """
        services:
          foo:
            image: foo
          bar:
            image: bar
            profiles: [test]
          baz:
            image: baz
            depends_on:
              bar: {condition: service_started, required: true}
            profiles: [test]
          zot:
            image: zot
            depends_on:
              bar: {condition: service_started, required: true}
            profiles: [debug]
        networks:
          unused: {}
        """;

    [Theory]
    [InlineData("", "foo")]
    [InlineData("test", "foo,bar,baz")]
    [InlineData("debug,test", "foo,bar,baz,zot")]
    [InlineData("*", "foo,bar,baz,zot")]
    [InlineData("other", "foo")]
    public void Apply_SpecExample_KeepsTheEnabledServices(string profiles, string expected)
    {
        var bag = new DiagnosticBag();
        var result = ProfileFilter.Apply(Doc(SpecExample), [.. profiles.Split(',', StringSplitOptions.RemoveEmptyEntries)], bag);
        Assert.False(bag.HasErrors);
        Assert.Equal(expected.Split(','), ((MappingNode)result["services"]!).Keys);
        Assert.NotNull(Get(result, "networks/unused"));
    }

    [Fact]
    public void Apply_RequiredDependencyOnADisabledService_IsAnError()
    {
        var bag = new DiagnosticBag();
        var result = ProfileFilter.Apply(Doc(SpecExample), ["debug"], bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.UndefinedReference, d.Code);
        Assert.Equal("services.zot.depends_on.bar", d.YamlPath);
        Assert.Equal(15, d.Location.Line);
        Assert.Contains("--profile test", d.Hint, StringComparison.Ordinal);

        // The disabled service is not switched on by the dependency.
        Assert.Equal(["foo", "zot"], ((MappingNode)result["services"]!).Keys);
    }

    [Fact]
    public void Apply_OptionalDependencyOnADisabledService_IsDropped()
    {
        var bag = new DiagnosticBag();
        var result = ProfileFilter.Apply(
            Doc("""
                services:
                  web:
                    image: web
                    depends_on:
                      db: {condition: service_started, required: true}
                      debug: {condition: service_started, required: false}
                  db: {image: db}
                  debug: {image: debug, profiles: [debug]}
                """),
            [],
            bag);
        Assert.False(bag.HasErrors);
        Assert.Equal(["db"], ((MappingNode)Get(result, "services/web/depends_on")!).Keys);
    }

    [Fact]
    public void Apply_DefaultArrayAndEmptyProfiles_AreHandled()
    {
        var doc = Doc("services:\n  a: {image: a, profiles: []}\n  b: {image: b, profiles: [x]}\n");
        Assert.Equal(["a"], ((MappingNode)ProfileFilter.Apply(doc, default, new DiagnosticBag())["services"]!).Keys);
    }

    [Fact]
    public void Apply_ResolvesRemainingMergeTags()
    {
        var result = ProfileFilter.Apply(Doc("services:\n  a:\n    image: !override a\n    command: !reset []\n"), ImmutableArray<string>.Empty, new DiagnosticBag());
        AssertNoTags(result);
        Assert.Equal(["image"], ((MappingNode)Get(result, "services/a")!).Keys);
    }

    [Fact]
    public void Apply_ProfileNoCycleFixture_DisabledServicesAreSimplyAbsent()
    {
        // compose-go's compose-depends-on-profile-no-cycle.yaml, canonicalised, with service3 behind a profile:
        // the filter does not look for cycles, it only drops disabled services and their optional dependencies.
        var bag = new DiagnosticBag();
        var result = ProfileFilter.Apply(
            Doc("""
                services:
                  service1: {image: service1, depends_on: {service2: {condition: service_started, required: true}}}
                  service2: {image: service2, depends_on: {service3: {condition: service_started, required: false}}}
                  service3: {image: service3, profiles: [p], depends_on: {service1: {condition: service_started, required: true}}}
                """),
            [],
            bag);
        Assert.False(bag.HasErrors);
        Assert.Equal(["service1", "service2"], ((MappingNode)result["services"]!).Keys);
        Assert.Empty(((MappingNode)Get(result, "services/service2/depends_on")!).Entries);
    }
}
