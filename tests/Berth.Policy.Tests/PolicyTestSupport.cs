using System.Collections.Immutable;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Policy.Model;
using Berth.Policy.Parsing;
using Berth.Testing;

namespace Berth.Policy.Tests;

internal static class PolicyTestSupport
{
    public static string TestData => Path.Combine(RepositoryRoot.Path, "tests", "Berth.Policy.Tests", "testdata");

    public static ComposeProject LoadProject(string composeFile)
    {
        var result = ProjectLoader.Load(new LoadOptions
        {
            Files = [composeFile],
            WorkingDirectory = Path.GetDirectoryName(composeFile)!,
            ProjectName = "app",
            Environment = ImmutableDictionary<string, string>.Empty,
        }, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Project!;
    }

    /// <summary>Loads a Compose text written to a temporary folder (the folder is removed with the returned scope).</summary>
    public static ComposeProject LoadText(string compose)
    {
        var folder = Path.Combine(Path.GetTempPath(), "berth-policy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "compose.yaml");
            File.WriteAllText(file, compose);
            return LoadProject(file);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static DeployPolicy ParsePolicy(string text)
    {
        var result = PolicyParser.Parse(text, "policy.yaml", TestContext.Current.CancellationToken);
        Assert.True(result.Policy is not null, string.Join("\n", result.Diagnostics));
        return result.Policy!;
    }

    /// <summary>Diagnostics as the CLI prints them, with file names relative to <paramref name="folder"/> and hints on their own line.</summary>
    public static string Format(IEnumerable<Diagnostic> diagnostics, string folder)
    {
        var text = new StringBuilder();
        foreach (var d in diagnostics)
        {
            var line = d.ToString().Replace(folder.TrimEnd('/') + "/", string.Empty, StringComparison.Ordinal);
            text.Append(line).Append('\n');
            if (d.Hint is not null)
            {
                text.Append("  hint: ").Append(d.Hint).Append('\n');
            }
        }

        return text.ToString();
    }
}
