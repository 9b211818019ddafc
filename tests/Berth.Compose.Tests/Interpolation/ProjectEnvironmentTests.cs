using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Interpolation;

namespace Berth.Compose.Tests.Interpolation;

public sealed class ProjectEnvironmentTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("berth-env-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static ImmutableDictionary<string, string> Env(params (string Key, string Value)[] pairs)
        => pairs.ToImmutableDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    [Fact]
    public void Build_NoEnvFilesAndNoDotEnv_ReturnsProcessEnvironment()
    {
        var process = Env(("A", "1"));
        var bag = new DiagnosticBag();
        Assert.Same(process, ProjectEnvironment.Build(process, [], _directory, bag));
        Assert.Equal(0, bag.Count);
    }

    [Fact]
    public void Build_NoEnvFiles_ReadsDotEnvInProjectDirectory()
    {
        Write(".env", "A=from-file\nB=${A}-b\n");
        var bag = new DiagnosticBag();
        var result = ProjectEnvironment.Build(Env(("P", "p")), [], _directory, bag);
        Assert.Equal(0, bag.Count);
        Assert.Equal("from-file", result["A"]);
        Assert.Equal("from-file-b", result["B"]);
        Assert.Equal("p", result["P"]);
    }

    [Fact]
    public void Build_ProcessEnvironment_WinsOverFileValues()
    {
        Write(".env", "A=file\nB=$A\n");
        var result = ProjectEnvironment.Build(Env(("A", "process")), [], _directory, new DiagnosticBag());
        Assert.Equal("process", result["A"]);
        Assert.Equal("process", result["B"]);
    }

    [Fact]
    public void Build_EnvFiles_LaterOverrideEarlierAndMayReferToThem()
    {
        var first = Write("first.env", "A=1\nB=one\n");
        var second = Write("second.env", "B=two\nC=${A}${B}\nA\n");
        var bag = new DiagnosticBag();
        var result = ProjectEnvironment.Build(Env(), [first, second], _directory, bag);
        Assert.Equal(0, bag.Count);
        Assert.Equal("1", result["A"]);
        Assert.Equal("two", result["B"]);
        Assert.Equal("1two", result["C"]);
    }

    [Fact]
    public void Build_EnvFilesGiven_IgnoresDotEnv()
    {
        Write(".env", "FROM_DOT_ENV=1\n");
        var other = Write("other.env", "OTHER=1\n");
        var result = ProjectEnvironment.Build(Env(), [other], _directory, new DiagnosticBag());
        Assert.False(result.ContainsKey("FROM_DOT_ENV"));
        Assert.Equal("1", result["OTHER"]);
    }

    [Fact]
    public void Build_MissingEnvFile_ReportsErrorNamingIt()
    {
        var present = Write("present.env", "A=1\n");
        var missing = Path.Combine(_directory, "missing.env");
        var bag = new DiagnosticBag();
        var result = ProjectEnvironment.Build(Env(), [missing, present], _directory, bag);
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.FileNotFound, error.Code);
        Assert.Equal(Severity.Error, error.Severity);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal("1", result["A"]);
    }

    [Fact]
    public void Build_InvalidDotEnv_ReportsDotEnvSyntaxWithFileAndLine()
    {
        var path = Write(".env", "A=1\nnot valid\n");
        var bag = new DiagnosticBag();
        ProjectEnvironment.Build(Env(), [], _directory, bag);
        var error = Assert.Single(bag.ToImmutable());
        Assert.Equal(DiagnosticCodes.DotEnvSyntax, error.Code);
        Assert.Equal(new SourceLocation(path, 2, 1), error.Location);
    }

    [Fact]
    public void Build_ComposeGoCliTestData_LaterFileWins()
    {
        var folder = Path.Combine(SharedCorpus.CliTestData, "env-file");
        var bag = new DiagnosticBag();
        var result = ProjectEnvironment.Build(Env(), [Path.Combine(folder, "simple-env"), Path.Combine(folder, "second-env")], folder, bag);
        Assert.Equal(0, bag.Count);
        Assert.Equal("9090", result["DEFAULT_PORT"]);

        var single = ProjectEnvironment.Build(Env(), [Path.Combine(folder, "override.env")], folder, bag);
        Assert.Equal("9000", single["PORT"]);
    }
}
