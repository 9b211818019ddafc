using System.Collections;
using Xunit;

namespace Berth.Testing;

/// <summary>One expected file of a golden case and what the test produced; a null <see cref="Actual"/> means the file must not exist.</summary>
public sealed record GoldenFile(string Path, string? Actual);

/// <summary>
/// The one place golden expectations are compared or, on explicit request, rewritten. <c>BERTH_UPDATE_GOLDEN=1</c>
/// rewrites them on a developer's machine; it is refused (the test fails) wherever any CI variable is set, whatever
/// its value or the case of its name, so a CI run can never overwrite an expectation it should have compared.
/// </summary>
public static class GoldenFiles
{
    public const string UpdateVariable = "BERTH_UPDATE_GOLDEN";

    // The variables CI systems set (GitHub Actions, GitLab, Jenkins, Azure Pipelines, TeamCity, Buildkite, CircleCI,
    // Travis, AppVeyor, Drone, Woodpecker, Bitbucket, CodeBuild, ...); names compare case-insensitively.
    private static readonly string[] CiNames =
    [
        "CI", "CONTINUOUS_INTEGRATION", "BUILD_NUMBER", "BUILD_ID", "RUN_ID", "TF_BUILD", "JENKINS_URL", "JENKINS_HOME",
        "TEAMCITY_VERSION", "BUILDKITE", "CIRCLECI", "TRAVIS", "APPVEYOR", "DRONE", "SEMAPHORE", "CODEBUILD_BUILD_ID",
    ];

    private static readonly string[] CiPrefixes = ["CI_", "GITHUB_", "GITLAB_", "RUNNER_", "BITBUCKET_", "BUILDKITE_", "CIRCLE_", "TRAVIS_", "DRONE_", "WOODPECKER_", "SYSTEM_TEAMFOUNDATION"];

    /// <summary>Compares every file with what the test produced, or rewrites them when an update is requested and allowed.</summary>
    public static void Verify(string caseName, params IReadOnlyList<GoldenFile> files)
    {
        if (UpdateRequested(ProcessEnvironment()))
        {
            foreach (var file in files)
            {
                if (file.Actual is null)
                {
                    File.Delete(file.Path);
                }
                else
                {
                    File.WriteAllText(file.Path, file.Actual);
                }
            }

            return;
        }

        foreach (var file in files)
        {
            var name = System.IO.Path.GetFileName(file.Path);
            if (file.Actual is null)
            {
                Assert.False(File.Exists(file.Path), $"{caseName}: {name} should not exist for this result; delete it");
                continue;
            }

            Assert.True(File.Exists(file.Path), $"{caseName}: {name} missing; actual:\n{file.Actual}");
            Assert.Equal(File.ReadAllText(file.Path), file.Actual);
        }
    }

    /// <summary>The case folders under <paramref name="root"/>, by name in ordinal order.</summary>
    public static IEnumerable<string> CaseNames(string root)
        => Directory.EnumerateDirectories(root).Select(d => System.IO.Path.GetFileName(d)).Order(StringComparer.Ordinal);

    /// <summary>The <c>key=value</c> lines of a case's options.txt (none when it is missing), keys and values trimmed.</summary>
    public static IReadOnlyList<(string Key, string Value)> ReadOptions(string caseDirectory)
    {
        var file = System.IO.Path.Combine(caseDirectory, "options.txt");
        return File.Exists(file)
            ? [.. File.ReadAllLines(file).Where(l => l.Contains('=', StringComparison.Ordinal)).Select(l => (l[..l.IndexOf('=', StringComparison.Ordinal)].Trim(), l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim()))]
            : [];
    }

    /// <summary>
    /// True when <c>BERTH_UPDATE_GOLDEN=1</c> asks for a rewrite here; fails the test when it is set to anything else
    /// or when any CI variable is set as well.
    /// </summary>
    public static bool UpdateRequested(IReadOnlyDictionary<string, string> environment)
    {
        if (!environment.TryGetValue(UpdateVariable, out var value) || value.Length == 0)
        {
            return false;
        }

        if (value != "1")
        {
            Assert.Fail($"{UpdateVariable}={value}: set it to 1 to rewrite the golden files, or unset it");
        }

        var ci = CiVariables(environment);
        if (ci.Count > 0)
        {
            Assert.Fail($"{UpdateVariable}=1 is refused because CI variables are set ({string.Join(", ", ci)}): golden files are rewritten only on a developer's machine, then reviewed by hand");
        }

        return true;
    }

    /// <summary>The names in <paramref name="environment"/> that a CI system sets, in ordinal order.</summary>
    public static IReadOnlyList<string> CiVariables(IReadOnlyDictionary<string, string> environment)
        => [.. environment.Keys
            .Where(k => CiNames.Contains(k, StringComparer.OrdinalIgnoreCase) || CiPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)];

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value ?? string.Empty;
        }

        return result;
    }
}
