using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// What docker compose reads from the environment and its project flags, through the real command tree with only
/// the variables each test sets: COMPOSE_FILE (split by COMPOSE_PATH_SEPARATOR, ':' by default; -c wins),
/// COMPOSE_PROJECT_NAME (-p wins; it wins over the file's name), COMPOSE_PROFILES (comma-separated; --profile wins),
/// <c>-c -</c> and <c>--project-directory</c> (relative paths, .env and the default name come from that folder),
/// and <c>convert --stack</c>.
/// </summary>
public sealed class ComposeEnvironmentCliTests : IDisposable
{
    private readonly TempProject _project = new(
        ("a.yaml", "name: fromfile\nservices:\n  web:\n    image: web:a\n"),
        ("b.yaml", "services:\n  web:\n    image: web:b\n  db:\n    image: db:1\n"),
        ("profiles.yaml", "services:\n  web:\n    image: web:1\n  debug:\n    image: debug:1\n    profiles: [debug]\n  tools:\n    image: tools:1\n    profiles: [tools]\n"));

    public void Dispose() => _project.Dispose();

    private static (int ExitCode, string Stdout, string Stderr) Config(Dictionary<string, string> environment, params string[] args)
        => CliRunner.RunWith(environment, ["config", .. args]);

    [Fact]
    public void ComposeFile_NamesTheFiles_SeparatedByColon_AndMergesThem()
    {
        var (code, stdout, stderr) = Config(new() { ["COMPOSE_FILE"] = $"{_project.PathOf("a.yaml")}:{_project.PathOf("b.yaml")}" });

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("image: web:b", stdout, StringComparison.Ordinal);
        Assert.Contains("image: db:1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("web:a", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposePathSeparator_SplitsComposeFile()
    {
        var files = $"{_project.PathOf("a.yaml")};{_project.PathOf("b.yaml")}";

        var (code, stdout, stderr) = Config(new() { ["COMPOSE_FILE"] = files, ["COMPOSE_PATH_SEPARATOR"] = ";" });
        var (unsplit, _, unsplitErr) = Config(new() { ["COMPOSE_FILE"] = files });

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("image: db:1", stdout, StringComparison.Ordinal);

        // Without the separator the whole value is one path, which does not exist.
        Assert.Equal(ExitCodes.InvalidInput, unsplit);
        Assert.Contains($"Compose file not found: {files}", unsplitErr, StringComparison.Ordinal);
    }

    [Fact]
    public void DashC_WinsOverComposeFile()
    {
        var (code, stdout, stderr) = Config(new() { ["COMPOSE_FILE"] = _project.PathOf("b.yaml") }, "-c", _project.PathOf("a.yaml"));

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("image: web:a", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("db:1", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposeProjectName_WinsOverTheFilesName_AndDashPWinsOverIt()
    {
        var environment = new Dictionary<string, string> { ["COMPOSE_PROJECT_NAME"] = "fromenv" };

        var (code, stdout, stderr) = Config(environment, "-c", _project.PathOf("a.yaml"));
        var (flagCode, flagOut, _) = Config(environment, "-c", _project.PathOf("a.yaml"), "-p", "fromflag");
        var (plainCode, plainOut, _) = Config([], "-c", _project.PathOf("a.yaml"));

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.StartsWith("name: fromenv\n", stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, flagCode);
        Assert.StartsWith("name: fromflag\n", flagOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, plainCode);
        Assert.StartsWith("name: fromfile\n", plainOut, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposeProjectName_Invalid_IsAnErrorNamingTheVariable()
    {
        var (code, stdout, stderr) = Config(new() { ["COMPOSE_PROJECT_NAME"] = "Bad Name" }, "-c", _project.PathOf("a.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Empty(stdout);
        Assert.Contains("COMPOSE_PROJECT_NAME", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposeProfiles_EnablesTheListedProfiles_AndProfileFlagWinsOverIt()
    {
        var environment = new Dictionary<string, string> { ["COMPOSE_PROFILES"] = "debug,tools" };

        var (code, stdout, stderr) = Config(environment, "-c", _project.PathOf("profiles.yaml"), "--services");
        var (flagCode, flagOut, _) = Config(environment, "-c", _project.PathOf("profiles.yaml"), "--services", "--profile", "debug");
        var (noneCode, noneOut, _) = Config([], "-c", _project.PathOf("profiles.yaml"), "--services");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Equal(["debug", "tools", "web"], Lines(stdout));
        Assert.Equal(ExitCodes.Success, flagCode);
        Assert.Equal(["debug", "web"], Lines(flagOut));
        Assert.Equal(ExitCodes.Success, noneCode);
        Assert.Equal(["web"], Lines(noneOut));
    }

    [Fact]
    public void ProjectDirectory_ResolvesRelativePaths_ReadsItsDotEnv_AndNamesTheProject()
    {
        using var elsewhere = new TempProject(("files/compose.yaml", "services:\n  web:\n    image: web:${TAG}\n    env_file: ./web.env\n    volumes: [./data:/data]\n"));
        var projectDirectory = elsewhere.PathOf("shop-front");
        elsewhere.Write("shop-front/.env", "TAG=from-project-dir\n");
        elsewhere.Write("shop-front/web.env", "GREETING=hi\n");
        elsewhere.Write("files/.env", "TAG=from-file-dir\n");

        var (code, stdout, stderr) = Config([], "-c", elsewhere.PathOf("files/compose.yaml"), "--project-directory", projectDirectory);

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.StartsWith("name: shop-front\n", stdout, StringComparison.Ordinal);
        Assert.Contains("image: web:from-project-dir", stdout, StringComparison.Ordinal);
        Assert.Contains("GREETING: hi", stdout, StringComparison.Ordinal);
        Assert.Contains($"source: {Path.Combine(projectDirectory, "data")}", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void StandardInput_WithProjectDirectory_ResolvesAgainstIt_AndMergesWithAnotherFile()
    {
        _project.Write("front/.env", "TAG=2\n");
        var projectDirectory = _project.PathOf("front");
        using var stdin = new StringReader("services:\n  web:\n    image: web:${TAG}\n    volumes: [./data:/data]\n");
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };

        var code = BerthCommand.Run(["config", "-c", "-", "-c", _project.PathOf("b.yaml"), "--project-directory", projectDirectory], stdout, stderr, new Dictionary<string, string>(), stdin);

        Assert.True(code == ExitCodes.Success, stderr.ToString());
        var output = stdout.ToString();
        Assert.StartsWith("name: front\n", output, StringComparison.Ordinal);
        Assert.Contains($"source: {Path.Combine(projectDirectory, "data")}", output, StringComparison.Ordinal);
        Assert.Contains("image: web:b", output, StringComparison.Ordinal);
        Assert.Contains("image: db:1", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertStack_LabelsTheObjectsWithTheStack_NotTheProjectName()
    {
        var (code, stdout, stderr) = CliRunner.RunWith(new Dictionary<string, string>(), "convert", "-c", _project.PathOf("a.yaml"), "--stack", "shop-prod");
        var (plainCode, plainOut, _) = CliRunner.RunWith(new Dictionary<string, string>(), "convert", "-c", _project.PathOf("a.yaml"));

        Assert.True(code == ExitCodes.Success, stderr);
        var objects = YamlJson.ReadObjects(stdout);
        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.Equal("shop-prod", o["metadata"]?["labels"]?["com.docker.stack.namespace"]?.GetValue<string>()));
        Assert.Equal(ExitCodes.Success, plainCode);
        Assert.All(YamlJson.ReadObjects(plainOut), o => Assert.Equal("fromfile", o["metadata"]?["labels"]?["com.docker.stack.namespace"]?.GetValue<string>()));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
