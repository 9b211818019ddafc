using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Yaml;

namespace Berth.Compose.Tests.Validation;

/// <summary>Integers, numbers and booleans are checked after interpolation, reported at the value, and given their type.</summary>
public sealed class TypedValueChecksTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "berth-typed-" + Guid.NewGuid().ToString("N")[..8]);

    public TypedValueChecksTests()
    {
        Directory.CreateDirectory(_directory);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private LoadResult Load(string yaml, ImmutableDictionary<string, string>? environment = null, bool interpolate = true)
        => ProjectLoader.Load(
            new LoadOptions
            {
                Files = [Write("compose.yaml", yaml)],
                Environment = environment ?? ImmutableDictionary<string, string>.Empty,
                WorkingDirectory = _directory,
                Interpolate = interpolate,
            },
            TestContext.Current.CancellationToken);

    private static ScalarNode Value(LoadResult result, params string[] path)
    {
        ComposeNode node = result.Project!.Root;
        foreach (var key in path)
        {
            node = ((MappingNode)node)[key]!;
        }

        return Assert.IsType<ScalarNode>(node);
    }

    [Fact]
    public void Load_ReplicasWord_IsAnErrorAtTheValueWithPathAndHint()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: two\n");

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal(DiagnosticCodes.SchemaValue, error.Code);
        Assert.Equal("'two' is not an integer", error.Message);
        Assert.Equal(Path.Combine(_directory, "compose.yaml"), error.Location.File);
        Assert.Equal((5, 17), (error.Location.Line, error.Location.Column));
        Assert.Equal("services.web.deploy.replicas", error.YamlPath);
        Assert.Equal("write a whole number such as 3", error.Hint);
    }

    [Fact]
    public void Load_SeveralBadValues_AreAllReported()
    {
        var result = Load("""
            services:
              web:
                image: nginx
                init: maybe
                deploy:
                  replicas: two
                  resources:
                    limits: {cpus: lots, pids: many}
                    reservations: {cpus: half}
                  update_config: {parallelism: some, max_failure_ratio: high}
                healthcheck: {retries: three, disable: perhaps}
                ulimits: {nofile: {soft: lots, hard: 10}}
            networks:
              back: {internal: kind-of}
            """);

        var paths = result.Diagnostics.Where(d => d.Code == DiagnosticCodes.SchemaValue && d.Severity == Severity.Error).Select(d => d.YamlPath).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            [
                "networks.back.internal",
                "services.web.deploy.replicas",
                "services.web.deploy.resources.limits.cpus",
                "services.web.deploy.resources.limits.pids",
                "services.web.deploy.resources.reservations.cpus",
                "services.web.deploy.update_config.max_failure_ratio",
                "services.web.deploy.update_config.parallelism",
                "services.web.healthcheck.disable",
                "services.web.healthcheck.retries",
                "services.web.init",
                "services.web.ulimits.nofile.soft",
            ],
            paths);
        Assert.Null(result.Project);
    }

    [Fact]
    public void Load_InterpolatedWord_IsReportedAtTheLineOfTheVariable()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${R}\n", ImmutableDictionary<string, string>.Empty.Add("R", "two"));

        var error = Assert.Single(result.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal(DiagnosticCodes.SchemaValue, error.Code);
        Assert.Equal((5, 17), (error.Location.Line, error.Location.Column));
        Assert.Contains("'two'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValueFromAnOverrideFile_IsReportedInThatFile()
    {
        var main = Write("base.yaml", "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n");
        var over = Write("override.yaml", "services:\n  web:\n    deploy:\n      replicas: lots\n");

        var result = ProjectLoader.Load(new LoadOptions { Files = [main, over], WorkingDirectory = _directory }, TestContext.Current.CancellationToken);

        var error = Assert.Single(result.Diagnostics, d => d.Severity == Severity.Error);
        Assert.Equal(over, error.Location.File);
        Assert.Equal(4, error.Location.Line);
    }

    [Fact]
    public void Load_AcceptedStrings_GetTheirType()
    {
        var result = Load("""
            services:
              web:
                image: nginx
                init: "TRUE"
                tty: "false"
                deploy:
                  replicas: "3"
                  resources: {limits: {cpus: "0.50", pids: "100"}}
                  update_config: {max_failure_ratio: "0.25"}
                healthcheck: {retries: "5"}
            volumes:
              data: {external: "true"}
            """);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal((ScalarKind.Bool, "true"), (Value(result, "services", "web", "init").Kind, Value(result, "services", "web", "init").Value));
        Assert.Equal((ScalarKind.Bool, "false"), (Value(result, "services", "web", "tty").Kind, Value(result, "services", "web", "tty").Value));
        Assert.Equal((ScalarKind.Int, "3"), (Value(result, "services", "web", "deploy", "replicas").Kind, Value(result, "services", "web", "deploy", "replicas").Value));
        var cpus = Value(result, "services", "web", "deploy", "resources", "limits", "cpus");
        Assert.Equal((ScalarKind.Float, "0.5"), (cpus.Kind, cpus.Value));
        Assert.Equal(ScalarKind.Int, Value(result, "services", "web", "deploy", "resources", "limits", "pids").Kind);
        Assert.Equal(ScalarKind.Float, Value(result, "services", "web", "deploy", "update_config", "max_failure_ratio").Kind);
        Assert.Equal(ScalarKind.Int, Value(result, "services", "web", "healthcheck", "retries").Kind);
        Assert.Equal(ScalarKind.Bool, Value(result, "volumes", "data", "external").Kind);
    }

    [Fact]
    public void Load_InterpolatedNumber_IsAccepted()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    cpus: ${C}\n    deploy:\n      replicas: ${R}\n", ImmutableDictionary<string, string>.Empty.Add("R", "4").Add("C", "1.5"));

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal("4", Value(result, "services", "web", "deploy", "replicas").Value);
        Assert.Equal("1.5", Value(result, "services", "web", "cpus").Value);
    }

    [Theory]
    [InlineData("yes", "true")]
    [InlineData("On", "true")]
    [InlineData("n", "false")]
    [InlineData("OFF", "false")]
    public void Load_Yaml11Boolean_IsReadWithAWarning(string written, string read)
    {
        var result = Load($"services:\n  web:\n    image: nginx\n    privileged: {written}\n");

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var warning = Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.SchemaValue);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Equal(4, warning.Location.Line);
        Assert.Equal($"write {read}", warning.Hint);
        Assert.Equal((ScalarKind.Bool, read), (Value(result, "services", "web", "privileged").Kind, Value(result, "services", "web", "privileged").Value));
    }

    [Fact]
    public void Load_WithoutInterpolation_VariablesAreNotJudged()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    init: ${INIT}\n    deploy:\n      replicas: ${R}\n", interpolate: false);

        Assert.DoesNotContain(result.Diagnostics, d => d.Code == DiagnosticCodes.SchemaValue);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
    }

    [Fact]
    public void Load_WithoutInterpolation_LiteralWordsAreStillRefused()
    {
        var result = Load("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: two\n", interpolate: false);

        Assert.Contains(result.Diagnostics, d => d.Code == DiagnosticCodes.SchemaValue && d.Severity == Severity.Error);
    }

    [Theory]
    [InlineData("replicas: \"+3\"", "3")]
    [InlineData("replicas: \"-0\"", "0")]
    [InlineData("replicas: 3.0", "3")]
    public void Load_IntegerSpellingsGoAccepts_AreIntegers(string line, string value)
    {
        var result = Load($"services:\n  web:\n    image: nginx\n    deploy:\n      {line}\n");

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal((ScalarKind.Int, value), (Value(result, "services", "web", "deploy", "replicas").Kind, Value(result, "services", "web", "deploy", "replicas").Value));
    }

    [Theory]
    [InlineData("replicas: \" 3\"")]
    [InlineData("replicas: \"3 \"")]
    [InlineData("replicas: \"0x10\"")]
    [InlineData("replicas: \"1_000\"")]
    [InlineData("replicas: \"\"")]
    public void Load_IntegerSpellingsGoRefuses_AreErrors(string line)
    {
        var result = Load($"services:\n  web:\n    image: nginx\n    deploy:\n      {line}\n");

        Assert.Contains(result.Diagnostics, d => d.Code == DiagnosticCodes.SchemaValue && d.Severity == Severity.Error);
    }
}
