using System.Text.RegularExpressions;

namespace Berth.Compose.Tests.Support;

/// <summary>
/// Keeps the native CLI's largest start-up cost out (docs/design/startup.md, "What roots the statics"): one
/// asynchronous JSON stream read anywhere in the binary makes Native AOT give every JSON type in it (~1,650, most of
/// them KubernetesClient's) the async deserialisation machinery, about 11,000 static bases allocated at every start.
/// The projects the CLI is built from read bodies into memory and deserialise synchronously, and talk to the Docker
/// Engine through Berth's own client (Berth.Swarm/Apply/Engine), not Docker.DotNet's, which reads asynchronously.
/// bench/startup/statics.sh checks the binary itself; this checks the source on every test run.
/// </summary>
public sealed partial class StartupRootsTests
{
    private static readonly string[] _cliProjects = ["Berth.Cli", "Berth.Compose", "Berth.Kubernetes", "Berth.Policy", "Berth.Registry", "Berth.StackService", "Berth.Stacks", "Berth.Swarm"];

    [Fact]
    public void TheCliProjects_NeitherReadJsonStreamsAsynchronously_NorUseDockerDotNetsClient()
    {
        var found = _cliProjects
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", project), "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (File: Path.GetRelativePath(TestPaths.RepoRoot, file), Line: index + 1, Text: line)))
            .Where(line => Forbidden().IsMatch(line.Text) && !line.Text.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(line => $"{line.File}:{line.Line}: {line.Text.Trim()}")
            .ToList();

        Assert.True(found.Count == 0, "read the body into memory and deserialise it synchronously (see docs/design/startup.md):\n" + string.Join('\n', found));
    }

    [Fact]
    public void ThePattern_FindsEachForbiddenCall()
    {
        Assert.Matches(Forbidden(), "var x = await response.Content.ReadFromJsonAsync(Context.Default.X, ct);");
        Assert.Matches(Forbidden(), "await JsonSerializer.DeserializeAsync(stream, Context.Default.X, ct);");
        Assert.Matches(Forbidden(), "await http.GetFromJsonAsync<X>(uri, ct);");
        Assert.Matches(Forbidden(), "await foreach (var x in JsonSerializer.DeserializeAsyncEnumerable(stream, t, ct))");
        Assert.Matches(Forbidden(), "using var client = new DockerClientBuilder().Build();");
        Assert.Matches(Forbidden(), "IDockerClient client");
        Assert.DoesNotMatch(Forbidden(), "var x = JsonSerializer.Deserialize(bytes, Context.Default.X);");
    }

    [GeneratedRegex(@"\b(ReadFromJsonAsync|DeserializeAsync|DeserializeAsyncEnumerable|GetFromJsonAsync|DockerClientBuilder|IDockerClient)\b|\bnew DockerClient\b")]
    private static partial Regex Forbidden();
}
