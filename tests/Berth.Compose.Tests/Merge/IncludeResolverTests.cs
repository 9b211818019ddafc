using Berth.Compose.Diagnostics;
using Berth.Compose.Merge;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Merge.MergeTestSupport;

namespace Berth.Compose.Tests.Merge;

public sealed class IncludeResolverTests
{
    private const string ProjectDirectory = "/project";

    [Fact]
    public void Include_ShortAndLongForms_BuildRequestsAgainstTheProjectDirectory()
    {
        var requests = new List<IncludeRequest>();
        var result = IncludeResolver.Resolve(
            Doc("""
                include:
                  - ../commons/compose.yaml
                  - path: [a/compose.yaml, a/override.yaml]
                    project_directory: ..
                    env_file: [a/.env, /dev/null]
                  - path: /abs/compose.yaml
                    env_file: b.env
                services:
                  web: {image: web}
                """),
            "/project/compose.yaml",
            ProjectDirectory,
            r =>
            {
                requests.Add(r);
                return null;
            },
            new DiagnosticBag());

        Assert.False(result.ContainsKey("include"));
        Assert.Equal(3, requests.Count);
        Assert.Equal(["/commons/compose.yaml"], requests[0].Paths);
        Assert.Equal("/commons", requests[0].ProjectDirectory);
        Assert.Empty(requests[0].EnvFiles);
        Assert.Equal(2, requests[0].Location.Line);

        Assert.Equal(["/project/a/compose.yaml", "/project/a/override.yaml"], requests[1].Paths);
        Assert.Equal("/", requests[1].ProjectDirectory);
        Assert.Equal(["/project/a/.env"], requests[1].EnvFiles);

        Assert.Equal(["/abs/compose.yaml"], requests[2].Paths);
        Assert.Equal("/abs", requests[2].ProjectDirectory);
        Assert.Equal(["/project/b.env"], requests[2].EnvFiles);
    }

    [Fact]
    public void Include_ImportsEveryKindOfResource()
    {
        var imported = Doc("""
            services: {db: {image: postgres}}
            networks: {back: {}}
            volumes: {data: {}}
            secrets: {s: {file: /s}}
            configs: {c: {file: /c}}
            models: {m: {model: ai/x}}
            x-ignored: {a: 1}
            """, "/inc/compose.yaml");
        var result = IncludeResolver.Resolve(
            Doc("include: [inc/compose.yaml]\nservices:\n  web: {image: web}\n"),
            "/project/compose.yaml",
            ProjectDirectory,
            _ => imported,
            new DiagnosticBag());
        Assert.Equal(["web", "db"], ((MappingNode)result["services"]!).Keys);
        Assert.NotNull(Get(result, "networks/back"));
        Assert.NotNull(Get(result, "volumes/data"));
        Assert.NotNull(Get(result, "secrets/s"));
        Assert.NotNull(Get(result, "configs/c"));
        Assert.NotNull(Get(result, "models/m"));
        Assert.Null(result["x-ignored"]);
        Assert.Equal("/inc/compose.yaml", Get(result, "services/db/image")!.Location.File);
    }

    [Fact]
    public void Include_ConflictingService_IsAnError()
    {
        var bag = new DiagnosticBag();
        IncludeResolver.Resolve(
            Doc("include: [inc.yaml]\nservices:\n  db: {image: mysql}\n"),
            "/project/compose.yaml",
            ProjectDirectory,
            _ => Doc("services:\n  db: {image: postgres}\n", "/project/inc.yaml"),
            bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.IncludeConflict, d.Code);
        Assert.Contains("defines conflicting service db", d.Message, StringComparison.Ordinal);
        Assert.Equal(1, d.Location.Line);
    }

    [Fact]
    public void Include_IdenticalDefinitions_AreNotAConflict()
    {
        var bag = new DiagnosticBag();
        var result = IncludeResolver.Resolve(
            Doc("include: [inc.yaml]\nservices:\n  db: {image: postgres}\nnetworks:\n  n: {}\n"),
            "/project/compose.yaml",
            ProjectDirectory,
            _ => Doc("services:\n  db:\n    image: postgres\nnetworks:\n  n: {}\n", "/project/inc.yaml"),
            bag);
        Assert.False(bag.HasErrors);
        Assert.Single(((MappingNode)result["services"]!).Entries);
    }

    [Fact]
    public void Include_ConflictBetweenTwoIncludes_IsAnError()
    {
        var bag = new DiagnosticBag();
        IncludeResolver.Resolve(
            Doc("include: [a.yaml, b.yaml]\n"),
            "/project/compose.yaml",
            ProjectDirectory,
            r => Doc($"volumes:\n  data: {{driver: {Path.GetFileNameWithoutExtension(r.Paths[0])}}}\n", r.Paths[0]),
            bag);
        var d = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.IncludeConflict, d.Code);
        Assert.Contains("conflicting volume data", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_FailedLoad_IsSkipped()
    {
        var bag = new DiagnosticBag();
        var result = IncludeResolver.Resolve(Doc("include: [a.yaml]\nservices:\n  web: {image: x}\n"), "/project/compose.yaml", ProjectDirectory, _ => null, bag);
        Assert.False(bag.HasErrors);
        Assert.Equal(["services"], result.Keys);
    }

    [Fact]
    public void Include_ImportedTagsAreApplied()
    {
        var result = IncludeResolver.Resolve(
            Doc("include: [a.yaml]\n"),
            "/project/compose.yaml",
            ProjectDirectory,
            _ => Doc("services:\n  db:\n    image: !override x\n    user: !reset root\n"),
            new DiagnosticBag());
        AssertNoTags(result);
        Assert.Equal(["image"], ((MappingNode)Get(result, "services/db")!).Keys);
    }

    [Fact]
    public void Fixture_Include_AddsTheIncludedService()
    {
        var loader = new FixtureLoader();
        var result = loader.Load(Path.Combine(LoaderTestData, "include", "compose.yaml"))!;
        Assert.False(loader.Diagnostics.HasErrors);
        Assert.Equal(".", Text(result, "services/included/build"));
        var request = Assert.Single(loader.Requests);
        Assert.Equal([Path.Combine(LoaderTestData, "include", "included.yaml")], request.Paths);
        Assert.Equal(Path.Combine(LoaderTestData, "include"), request.ProjectDirectory);
    }

    [Fact]
    public void Fixture_ProjectDirectory_IsRelativeToTheIncludingProject()
    {
        var loader = new FixtureLoader();
        var result = loader.Load(Path.Combine(LoaderTestData, "include", "project-directory.yaml"))!;
        Assert.False(loader.Diagnostics.HasErrors);
        var request = Assert.Single(loader.Requests);
        Assert.Equal([Path.Combine(LoaderTestData, "include", "dir", "compose.yaml")], request.Paths);
        Assert.Equal(Path.Combine(LoaderTestData, "subdir"), request.ProjectDirectory);
        Assert.Equal("compose-test-extends-imported.yaml", Text(result, "services/service/volumes/0/source"));
    }

    [Fact]
    public void Fixture_ComposeInclude_MergesLocalAndIncludedServices()
    {
        var loader = new FixtureLoader();
        var result = loader.Load(Path.Combine(LoaderTestData, "compose-include.yaml"))!;
        Assert.False(loader.Diagnostics.HasErrors);
        Assert.Equal(["bar", "imported"], ((MappingNode)result["services"]!).Keys);
    }

    [Fact]
    public void Fixture_IncludeCycle_IsDetected()
    {
        var loader = new FixtureLoader();
        loader.Load(Path.Combine(LoaderTestData, "compose-include-cycle.yaml"));
        var d = Assert.Single(loader.Diagnostics.ToImmutable());
        Assert.Equal(DiagnosticCodes.IncludeCycle, d.Code);
        Assert.Equal(2, d.Location.Line);
    }
}
