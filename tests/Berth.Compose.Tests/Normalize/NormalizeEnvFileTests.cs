using Berth.Compose.Diagnostics;
using Berth.Compose.Output;
using Berth.Compose.Transform;
using Berth.Compose.Yaml;
using static Berth.Compose.Tests.Normalize.NormalizeTestHelpers;

namespace Berth.Compose.Tests.Normalize;

public sealed class NormalizeEnvFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-envfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EnvFile_LaterFilesOverrideEarlierAndEnvironmentWins()
    {
        var a = Write("a.env", "# comment\nFOO=from_a\nBAR=from_a\n\nexport BAZ='quoted value'\n");
        var b = Write("b.env", "BAR=from_b\nQUX=from_b # trailing comment\n");
        var output = NormalizeToYaml($"""
            services:
              web:
                image: nginx
                network_mode: host
                env_file:
                  - path: {a}
                    required: true
                  - path: {b}
                    required: true
                environment:
                  QUX: explicit
            """);
        Assert.Equal("""
            name: proj
            services:
              web:
                environment:
                  BAR: from_b
                  BAZ: quoted value
                  FOO: from_a
                  QUX: explicit
                image: nginx
                network_mode: host

            """, output);
    }

    [Fact]
    public void EnvFile_ValuesKeepTheirEnvFileLocation()
    {
        var a = Write("a.env", "# first\nFOO=1\n\nBAR=2\n");
        var (result, bag) = Run($"services:\n  web:\n    image: nginx\n    env_file:\n      - path: {a}\n        required: true\n");
        Assert.False(bag.HasErrors);
        Assert.Equal(new SourceLocation(a, 2, 1), At(result, "services", "web", "environment", "FOO").Location);
        Assert.Equal(new SourceLocation(a, 4, 1), At(result, "services", "web", "environment", "BAR").Location);
        Assert.False(((MappingNode)At(result, "services", "web")).ContainsKey("env_file"));
    }

    [Fact]
    public void EnvFile_KeyOnlyEnvironmentEntryOverridesFileAndTakesProjectEnvironment()
    {
        var a = Write("a.env", "QUX=from_file\nGONE=from_file\n");
        var output = NormalizeToYaml(
            $"""
            services:
              web:
                image: nginx
                network_mode: host
                env_file:
                  - path: {a}
                    required: true
                environment:
                  QUX: null
                  GONE: null
            """,
            Context(new Dictionary<string, string> { ["QUX"] = "from_project" }));
        Assert.Contains("GONE: null\n      QUX: from_project\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvFile_MissingOptionalFile_IsSkipped()
    {
        var a = Write("a.env", "FOO=1\n");
        var (result, bag) = Run($"""
            services:
              web:
                image: nginx
                env_file:
                  - path: {Path.Combine(_dir, "missing.env")}
                    required: false
                  - path: {a}
                    required: true
            """);
        Assert.Empty(bag.ToImmutable());
        Assert.Equal("1", At(result, "services", "web", "environment", "FOO").ToString());
    }

    [Fact]
    public void EnvFile_MissingRequiredFile_BC001AtPathEntry()
    {
        var missing = Path.Combine(_dir, "missing.env");
        var (_, bag) = Run($"services:\n  web:\n    image: nginx\n    env_file:\n      - path: {missing}\n        required: true\n");
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.FileNotFound, error.Code);
        Assert.Equal("services.web.env_file[0].path", error.YamlPath);
        Assert.Equal(5, error.Location.Line);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("required: false", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvFile_RelativePath_ResolvedAgainstProjectDirectory()
    {
        Write("rel.env", "FOO=rel\n");
        var (result, bag) = Run("services:\n  web:\n    image: nginx\n    env_file:\n      - path: rel.env\n        required: true\n", Context(projectDirectory: _dir));
        Assert.False(bag.HasErrors);
        Assert.Equal("rel", At(result, "services", "web", "environment", "FOO").ToString());
    }

    [Fact]
    public void EnvFile_RawFormat_KeepsQuotesAndDollars()
    {
        var a = Write("raw.env", "A=\"quoted\" $HOME\nB='x'\n");
        var (result, bag) = Run($"services:\n  web:\n    image: nginx\n    env_file:\n      - path: {a}\n        required: true\n        format: raw\n");
        Assert.False(bag.HasErrors);
        Assert.Equal("\"quoted\" $HOME", At(result, "services", "web", "environment", "A").ToString());
        Assert.Equal("'x'", At(result, "services", "web", "environment", "B").ToString());
    }

    [Fact]
    public void EnvFile_UnknownFormat_BC405()
    {
        var a = Write("a.env", "A=1\n");
        var (_, bag) = Run($"services:\n  web:\n    image: nginx\n    env_file:\n      - path: {a}\n        format: yaml\n");
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal((DiagnosticCodes.InvalidValue, "services.web.env_file[0].format", 6), (error.Code, error.YamlPath, error.Location.Line));
    }

    [Fact]
    public void EnvFile_ParserReceivesProjectLookupAndInterpolationFlag()
    {
        var a = Write("a.env", "ignored\n");
        var seen = new List<bool>();
        NormalizeEnvFileParser fake = (_, file, lookup, _, interpolate) =>
        {
            seen.Add(interpolate);
            return [new("V", lookup("X") ?? "unset", new SourceLocation(file, 7, 1))];
        };
        var environment = new Dictionary<string, string> { ["X"] = "project-x" };

        var interpolated = ProjectNormalizer.Normalize(Parse($"services:\n  web:\n    image: nginx\n    env_file: [{{path: {a}}}]\n"), Context(environment), new DiagnosticBag(), fake);
        var value = At(interpolated, "services", "web", "environment", "V");
        Assert.Equal("project-x", value.ToString());
        Assert.Equal(new SourceLocation(a, 7, 1), value.Location);

        ProjectNormalizer.Normalize(Parse($"services:\n  web:\n    image: nginx\n    env_file: [{{path: {a}}}]\n"), Context(environment, interpolate: false), new DiagnosticBag(), fake);
        Assert.Equal([true, false], seen);
    }

    [Fact]
    public void EnvFile_WithoutInterpolation_KeepsReferencesAsWritten()
    {
        var a = Write("a.env", "V=${X}-suffix\n");
        var environment = new Dictionary<string, string> { ["X"] = "project-x" };
        var raw = ProjectNormalizer.Normalize(Parse($"services:\n  web:\n    image: nginx\n    env_file: [{{path: {a}}}]\n"), Context(environment, interpolate: false), new DiagnosticBag());
        Assert.Equal("${X}-suffix", At(raw, "services", "web", "environment", "V").ToString());
    }

    [Fact]
    public void LabelFile_LoadedIntoLabelsExplicitLabelsWin()
    {
        var l = Write("a.label", "FOO=from_file\nBAR=from_file\n");
        var (result, bag) = Run($"services:\n  web:\n    image: nginx\n    label_file: [{l}]\n    labels:\n      BAR: explicit\n");
        Assert.False(bag.HasErrors);
        Assert.Equal("from_file", At(result, "services", "web", "labels", "FOO").ToString());
        Assert.Equal("explicit", At(result, "services", "web", "labels", "BAR").ToString());
        Assert.False(((MappingNode)At(result, "services", "web")).ContainsKey("label_file"));
    }

    [Fact]
    public void EnvFile_FullExampleCorpus_MatchesComposeGoEnvironment()
    {
        // compose-go's full example: example1.env, optional example2.env, BAZ set in the file, QUX key-only from the environment.
        var dir = Path.Combine(CorpusDirectory(), "compose-go", "full-example-2026-01");
        var (result, bag) = Run(
            $"""
            services:
              foo:
                image: redis
                env_file:
                  - path: {Path.Combine(dir, "example1.env")}
                    required: true
                  - path: {Path.Combine(dir, "example2.env")}
                    required: false
                environment:
                  BAZ: baz_from_service_def
                  QUX: null
            """,
            Context(new Dictionary<string, string> { ["QUX"] = "qux_from_environment", ["BAR"] = "this is a secret" }));
        Assert.False(bag.HasErrors);
        Assert.Equal(
            """
            BAR: bar_from_env_file_2
            BAZ: baz_from_service_def
            ENV.WITH.DOT: ok
            ENV_WITH_UNDERSCORE: ok
            FOO: foo_from_env_file
            QUX: qux_from_environment

            """,
            CanonicalYamlWriter.Write(At(result, "services", "foo", "environment")));
    }

    [Fact]
    public void EnvFile_OnlyMissingOptionalFiles_NoEmptyEnvironmentAdded()
    {
        var (result, bag) = Run($"services:\n  web:\n    image: nginx\n    env_file:\n      - path: {Path.Combine(_dir, "none.env")}\n        required: false\n");
        Assert.Empty(bag.ToImmutable());
        var web = (MappingNode)At(result, "services", "web");
        Assert.False(web.ContainsKey("environment"));
        Assert.False(web.ContainsKey("env_file"));
    }
}
